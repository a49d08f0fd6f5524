import { startYouTubeUpstream } from '../test/servers/youtube-upstream';
import { startService } from '../test/e2e/support/npm-start';
import { profileWhile, summarise, workerdInspectorPort } from './cpu-profile';
import { wrk } from './load';

/**
 * A keyed metadata-cache hit on its own: `npx tsx bench/keyed-hit.ts` starts one keyed
 * `npm start` against the recorded upstream, runs wrk on the keyed hit and prints the
 * top self-time entries of the API Worker's isolate (its QuotaCounter objects run in the
 * same isolate under wrangler dev, so their work shows here too).
 */
const ADMIN = 'bench-admin-key-0123456789';
const upstream = await startYouTubeUpstream(0, { anyIdAs: 'M4gD1WSo5mA' });
const origins = JSON.stringify({ 'www.youtube.com': upstream.url, 'youtubei.googleapis.com': upstream.url, '*.googlevideo.com': upstream.url, 'music.youtube.com': upstream.url });
const service = await startService(8821, { UPSTREAM_ORIGINS: origins, ADMIN_API_KEY: ADMIN, RATE_LIMIT_PER_MINUTE: '0', KEY_RATE_LIMIT_PER_MINUTE: process.env.KEY_RATE_LIMIT_PER_MINUTE ?? '0', LOG_LEVEL: 'error', STREAM_SIGNING_KEY: 'bench-signing-key-0123456789' });
try {
  const created = await fetch(`${service.url}/admin/keys`, { method: 'POST', headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'bench', daily_limit: 100_000_000 }) });
  const { key } = (await created.json()) as { key: string };
  const hit = `${service.url}/v1/resolve?query=M4gD1WSo5mA`;
  for (let i = 0; i < 50; i++) await (await fetch(hit, { headers: { 'X-API-Key': key } })).arrayBuffer();
  const target = { root: service.process.pid!, port: 8821 };
  const run = await wrk(target, hit, ['-H', `X-API-Key: ${key}`]);
  console.log(`keyed hit: ${run.workersCpuMs.toFixed(3)} ms Workers CPU/request, ${run.rps.toFixed(0)} req/s`);
  const load = async () => void (await wrk(target, hit, ['-H', `X-API-Key: ${key}`]));
  // workerd's own inspector, the API Worker's isolate by name (wrangler's proxy shows one of the two Workers, not always the API).
  let profile: Awaited<ReturnType<typeof profileWhile>> | null = null;
  for (let attempt = 0; attempt < 4 && !profile; attempt++) {
    const port = await workerdInspectorPort(service.process.pid!).catch(() => null);
    profile = port ? await profileWhile(port, load, 200, 'core:user:yt-music-api').catch(() => null) : null;
    if (!port) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (!profile) throw new Error('the inspector gave no profile of the API Worker');
  const summary = summarise(profile, Number(process.env.TOP ?? 25), new RegExp(process.env.WATCH ?? '.'));
  console.log(`busy ${summary.busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms`);
  for (const { frame, ms } of summary.self) console.log(`${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)} %  self  ${frame}`);
  for (const { frame, ms } of summary.inclusive) console.log(`${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)} %  total ${frame}`);
  if (process.env.PROFILE_OUT) (await import('node:fs')).writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
} finally {
  service.stop();
  await upstream.close();
}
