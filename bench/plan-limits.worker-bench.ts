import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { discardQuickJs } from '../workers/core/src/youtube/evaluator';
import { forgetLoadedPlayers } from '../workers/core/src/youtube/player-cipher';
import type { PlayerFunctionsNamespace } from '../workers/core/src/youtube/player-functions';
import { TEST_ADMIN_KEY, upstream } from '../test/support/api';
import { claim, consumerEnv, runJobs, telegram } from '../test/support/telegram-cache';

/**
 * Plan limits (issue 19 §4): per path, the Worker time one request costs inside workerd, in both
 * worlds (the Cache API working, and a no-op as on a workers.dev address: CACHE_API=off), and
 * whether that fits the Workers Free plan's 10 ms of CPU. Locally the clock runs during
 * synchronous code, so a CPU-bound path's wall time is its CPU time; for the paths that wait on
 * the loopback upstream (a miss, the HLS join, the upload) the figure also holds those waits and
 * is an upper bound of their CPU. The machine is shared: figures are noisy, medians are printed.
 */
const FREE_PLAN_CPU_MS = 10;
const PLAYER = 'c9168c90';
const bindings = env as unknown as { PLAYER_FUNCTIONS: PlayerFunctionsNamespace };

it('prints each path’s Worker time per request and whether it fits the Free plan, with the Cache API on and off', { timeout: 900_000 }, async () => {
  const rows: string[][] = [];
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const fits = (ms: number) => (ms <= FREE_PLAN_CPU_MS ? 'yes' : 'no');
  const app = createApp();
  let serial = 0;
  const fresh = (prefix: string) => `${prefix}${String(++serial).padStart(7, '0')}`;
  const admin = await call({}, '/admin/keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'plan bench', tier: 'user', daily_limit: 10_000_000 }) });
  const userKey = ((await admin.json()) as { key: string }).key;

  async function call(settings: Record<string, string | undefined>, path: string, init: RequestInit = {}, key = TEST_ADMIN_KEY) {
    const headers = new Headers(init.headers);
    headers.set('X-API-Key', key);
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`http://api.test${path}`, { ...init, headers }), { ...env, RATE_LIMIT_PER_MINUTE: '0', KEY_RATE_LIMIT_PER_MINUTE: '0', LOG_QUEUE: undefined, LOG_LEVEL: 'error', ...settings }, ctx);
    const body = await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return new Response(body, { status: response.status, headers: response.headers });
  }
  async function timed(runs: number, body: (index: number) => Promise<unknown>, before?: () => Promise<void>): Promise<number> {
    // The clock ticks in whole milliseconds here: without a per-run step, the mean of the whole batch.
    if (!before) {
      const started = performance.now();
      for (let index = 0; index < runs; index++) await body(index);
      return (performance.now() - started) / runs;
    }
    const values: number[] = [];
    for (let index = 0; index < runs; index++) {
      await before?.();
      const started = performance.now();
      await body(index);
      values.push(performance.now() - started);
    }
    return median(values);
  }
  const ok = async (response: Promise<Response>) => {
    const answer = await response;
    if (answer.status >= 300) throw new Error(`a bench request answered ${answer.status}: ${await answer.text()}`);
    return answer;
  };

  for (const mode of ['on', 'off'] as const) {
    const world = { CACHE_API: mode };
    const label = mode === 'on' ? 'Cache API on (custom domain)' : 'Cache API off (workers.dev, CACHE_API=off)';
    const add = (path: string, ms: number, note = '') => rows.push([path, label, `${ms.toFixed(1)} ms`, fits(ms), note]);

    const hitId = fresh('phit');
    await upstream.alias(hitId, 'M4gD1WSo5mA');
    await ok(call(world, `/v1/resolve?query=${hitId}`));
    add('resolve, hit', await timed(100, () => ok(call(world, `/v1/resolve?query=${hitId}`))), mode === 'off' ? 'no metadata tier without the Cache API here: each is a miss' : '');
    add('resolve, hit, keyed (user key)', await timed(100, () => ok(call(world, `/v1/resolve?query=${hitId}`, {}, userKey))));

    const missIds = Array.from({ length: 30 }, () => fresh('pmis'));
    for (const id of missIds) await upstream.alias(id, 'M4gD1WSo5mA');
    add('resolve, miss (VISIONOS, plain URLs)', await timed(missIds.length, (index) => ok(call(world, `/v1/resolve?query=${missIds[index]}`))), 'incl. loopback I/O');

    const tv = { ...world, YOUTUBE_CLIENTS: 'TV', FALLBACK_INSTANCES: '' };
    await upstream.player(PLAYER);
    await forgetLoadedPlayers();
    const warmIds = Array.from({ length: 15 }, () => fresh('pwrm'));
    for (const id of warmIds) await upstream.alias(id, 'M4gD1WSo5mA');
    await ok(call(tv, `/v1/resolve?query=${warmIds[0]}`));
    add('ciphered resolve (TV), warm isolate', await timed(warmIds.length - 1, (index) => ok(call(tv, `/v1/resolve?query=${warmIds[index + 1]}`))), 'incl. loopback I/O');
    const coldIds = Array.from({ length: 6 }, () => fresh('pcld'));
    for (const id of coldIds) await upstream.alias(id, 'M4gD1WSo5mA');
    const coldSource = mode === 'on' ? 'code from the Cache API' : 'code from the PlayerFunctions object';
    add('ciphered resolve (TV), cold isolate', await timed(coldIds.length, (index) => ok(call(tv, `/v1/resolve?query=${coldIds[index]}`)), async () => {
      await forgetLoadedPlayers();
      discardQuickJs();
    }), `${coldSource}; QuickJS instantiated, code parsed`);

    const hlsIds = Array.from({ length: 4 }, () => fresh('phls'));
    for (const id of hlsIds) await upstream.alias(id, 'tjz2u2DiveM');
    const fileLinks: string[] = [];
    for (const id of hlsIds) {
      const resolved = (await (await ok(call(world, `/v1/resolve?query=${id}&type=video`))).json()) as { stream: { url: string } };
      fileLinks.push(new URL(resolved.stream.url).pathname.replace('/stream/', '/file/'));
    }
    add('HLS join (/file of an HLS-only video, 2 segments)', await timed(fileLinks.length, (index) => ok(call(world, fileLinks[index]!))), 'incl. loopback I/O');

    const token = await telegram.newBot();
    const uploadIds = Array.from({ length: 3 }, () => fresh('pupl'));
    for (const id of uploadIds) {
      await upstream.alias(id, 'T4XJQO3qol8');
      await claim(id);
    }
    add('Telegram upload (consumer: resolve, download, sendAudio)', await timed(uploadIds.length, (index) => runJobs([{ video_id: uploadIds[index]!, type: 'audio' }], consumerEnv(token, world))), 'consumer Worker; incl. loopback I/O');
  }

  // The extraction runs in the player's Durable Object, whatever the Cache API does: once per player build.
  const extractions: number[] = [];
  for (let run = 0; run < 2; run++) {
    const stub = bindings.PLAYER_FUNCTIONS.get(bindings.PLAYER_FUNCTIONS.idFromName(PLAYER));
    await stub.forget();
    const started = performance.now();
    const answer = await stub.functions(PLAYER);
    if (!answer.ok) throw new Error(`extraction failed: ${answer.message}`);
    extractions.push(performance.now() - started);
  }
  const extraction = median(extractions);
  rows.push(['first extraction of a player (in its PlayerFunctions Durable Object)', 'both', `${extraction.toFixed(0)} ms`, fits(extraction), 'once per player build for the service; the DO’s own CPU budget, not a request’s']);

  console.log(
    [
      '',
      `| path (plan limits; inside workerd, shared noisy machine; means of a batch, medians of cold runs) | world | Worker time per request | fits Free (${FREE_PLAN_CPU_MS} ms CPU) | note |`,
      '| --- | --- | --- | --- | --- |',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
      '',
    ].join('\n'),
  );
});
