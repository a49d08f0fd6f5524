import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { readExchange } from '../test/servers/fixtures';
import { startYouTubeUpstream } from '../test/servers/youtube-upstream';
import { startService } from './local-service';

/**
 * `npm run bench`: one run, figures side by side. Timings are printed, never
 * asserted. Two instances run from `npm start`: keys on and keys off.
 */
const ADMIN = 'bench-admin-key-0123456789';
let upstream: Awaited<ReturnType<typeof startYouTubeUpstream>>;
let keyed: Awaited<ReturnType<typeof startService>>;
let open: Awaited<ReturnType<typeof startService>>;
const rows: string[][] = [];

beforeAll(async () => {
  upstream = await startYouTubeUpstream();
  const origins = JSON.stringify({ 'www.youtube.com': upstream.url, 'youtubei.googleapis.com': upstream.url, '*.googlevideo.com': upstream.url, 'music.youtube.com': upstream.url });
  const common = { UPSTREAM_ORIGINS: origins, ADMIN_API_KEY: ADMIN, RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', STREAM_SIGNING_KEY: 'bench-signing-key-0123456789' };
  [keyed, open] = await Promise.all([startService(8811, common), startService(8812, { ...common, REQUIRE_API_KEY: 'false' })]);
});

afterAll(async () => {
  keyed?.stop();
  open?.stop();
  await upstream?.close();
  console.log(`\n| measure | value |\n| --- | --- |\n${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const serverTotal = (response: Response) => Number(/total;dur=([\d.]+)/.exec(response.headers.get('Server-Timing') ?? '')?.[1] ?? NaN);

it('resolve: time per warm request next to a bare JSON.parse of the same body', async () => {
  const create = await fetch(`${keyed.url}/admin/keys`, { method: 'POST', headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'bench', daily_limit: 100_000_000 }) });
  const { key } = (await create.json()) as { key: string };
  process.env.BENCH_KEY = key;
  const headers = { 'X-API-Key': key };
  await fetch(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA`, { headers });
  const hits: number[] = [];
  for (let i = 0; i < 300; i++) hits.push(serverTotal(await fetch(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA`, { headers })));
  const misses: number[] = [];
  for (let i = 0; i < 100; i++) {
    const id = `bench${String(i).padStart(6, '0')}`;
    await fetch(`${upstream.url}/__control/alias`, { method: 'POST', body: JSON.stringify({ videoId: id, recordedId: 'M4gD1WSo5mA' }) });
    misses.push(serverTotal(await fetch(`${keyed.url}/v1/resolve?query=${id}`, { headers })));
  }
  const body = JSON.stringify(readExchange('player/M4gD1WSo5mA.json').response.body);
  const parses: number[] = [];
  for (let i = 0; i < 300; i++) {
    const started = performance.now();
    JSON.parse(body);
    parses.push(performance.now() - started);
  }
  rows.push(['resolve, metadata-cache hit (in-Worker time, median of 300)', `${median(hits).toFixed(2)} ms`]);
  rows.push(['resolve, miss against the fixture upstream (in-Worker time incl. loopback I/O, median of 100)', `${median(misses).toFixed(2)} ms`]);
  rows.push([`bare JSON.parse of the same ${(body.length / 1024).toFixed(0)} KiB player body (median)`, `${median(parses).toFixed(3)} ms`]);
});

it('stream: throughput through /stream next to a direct fetch of the same upstream, and workerd memory', async () => {
  const resolved = (await (await fetch(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA&type=video`, { headers: { 'X-API-Key': process.env.BENCH_KEY! } })).json()) as any;
  const streamUrl = resolved.formats.video_only.url as string;
  const size = resolved.formats.video_only.size as number;
  const player = readExchange('player/M4gD1WSo5mA.json').response.body;
  const format = player.streamingData.adaptiveFormats.find((f: any) => Number(f.contentLength) === size);
  const direct = new URL(format.url);
  const directBase = `${upstream.url}${direct.pathname}${direct.search.replace(/expire=\d+/, `expire=${Math.floor(Date.now() / 1000) + 3600}`)}`;

  const rss = () => workerdRssKiB();
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
  let started = performance.now();
  const proxied = await drain(await fetch(streamUrl));
  const proxiedSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  started = performance.now();
  let directBytes = 0;
  for (let from = 0; from < size; from += 10 * 1024 * 1024) {
    const to = Math.min(size - 1, from + 10 * 1024 * 1024 - 1);
    directBytes += await drain(await fetch(`${directBase}&range=${from}-${to}`, { headers: { 'X-Forwarded-Host': 'rr1---sn-bench.googlevideo.com' } }));
  }
  const directSeconds = (performance.now() - started) / 1000;
  const mb = (bytes: number, seconds: number) => bytes / 1024 / 1024 / seconds;
  rows.push([`stream ${(size / 1024 / 1024).toFixed(1)} MiB through /stream`, `${mb(proxied, proxiedSeconds).toFixed(0)} MiB/s`]);
  rows.push(['same bytes fetched directly from the upstream (10 MiB ranges)', `${mb(directBytes, directSeconds).toFixed(0)} MiB/s`]);
  rows.push(['ratio /stream ÷ direct', (mb(proxied, proxiedSeconds) / mb(directBytes, directSeconds)).toFixed(2)]);
  rows.push(['workerd RSS growth while streaming', `${((peak - before) / 1024).toFixed(1)} MiB (before ${(before / 1024).toFixed(0)} MiB)`]);
});

it('keys: wrk throughput of a keyed cached resolve next to the same request with keys off', async () => {
  const run = (url: string, header?: string) => {
    const args = ['-t2', '-c32', '-d8s', '--latency', url];
    if (header) args.unshift('-H', header);
    const out = execFileSync('wrk', args, { encoding: 'utf8' });
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  };
  await fetch(`${open.url}/v1/resolve?query=M4gD1WSo5mA`);
  const keyedRps = run(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA`, `X-API-Key: ${process.env.BENCH_KEY}`);
  const openRps = run(`${open.url}/v1/resolve?query=M4gD1WSo5mA`);
  rows.push(['wrk: keyed cached resolve', `${keyedRps.toFixed(0)} req/s`]);
  rows.push(['wrk: same request, keys off', `${openRps.toFixed(0)} req/s`]);
  rows.push(['ratio keyed ÷ keys off', (keyedRps / openRps).toFixed(2)]);
});

it('bundles: gzip size of each Worker', () => {
  const out = execFileSync('node', ['scripts/bundle-check.mjs'], { encoding: 'utf8' });
  for (const line of out.trim().split('\n')) rows.push(['bundle', line]);
});

async function drain(response: Response): Promise<number> {
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

function workerdRssKiB(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('workerd')) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // process ended
    }
  }
  return total;
}
