import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import playerRecording from '../test/fixtures/youtube/player/M4gD1WSo5mA.json';
import { createApp } from '../workers/api/src/app';
import { TEST_ADMIN_KEY, upstream } from '../test/support/api';

/**
 * Inside workerd, with the bindings' own costs (rate limiter, log queue) left
 * out: what the Worker itself spends on a resolve. Locally the clock runs
 * during synchronous code, so a loop's wall time is its CPU time, plus the
 * loopback I/O of a miss.
 */
it('prints the Worker’s own time per resolve', async () => {
  const app = createApp();
  const quiet = { ...env, RATE_LIMIT_PER_MINUTE: '0', KEY_RATE_LIMIT_PER_MINUTE: '0', LOG_QUEUE: undefined, LOG_LEVEL: 'error' };
  const call = async (path: string) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`http://api.test${path}`, { headers: { 'X-API-Key': TEST_ADMIN_KEY } }), quiet, ctx);
    await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return response.status;
  };
  const time = async (runs: number, body: (index: number) => Promise<unknown> | unknown) => {
    const started = performance.now();
    for (let index = 0; index < runs; index++) await body(index);
    return (performance.now() - started) / runs;
  };

  await call('/v1/resolve?query=M4gD1WSo5mA');
  const hit = await time(500, () => call('/v1/resolve?query=M4gD1WSo5mA'));
  const ids = Array.from({ length: 100 }, (_, index) => `wbench${String(index).padStart(5, '0')}`);
  for (const id of ids) await upstream.alias(id, 'M4gD1WSo5mA');
  const miss = await time(100, (index) => call(`/v1/resolve?query=${ids[index]}`));
  const replayedMiss = await withUpstreamInMemory(ids, async (fresh) =>
    time(100, async (index) => {
      const status = await call(`/v1/resolve?query=${fresh[index]}`);
      if (status !== 200) throw new Error(`a replayed miss answered ${status}`);
    }),
  );
  const body = JSON.stringify(playerRecording.response.body);
  const parse = await time(500, () => JSON.parse(body));
  console.log(
    [
      '',
      '| inside workerd (bindings excluded) | value |',
      '| --- | --- |',
      `| resolve, metadata-cache hit | ${hit.toFixed(3)} ms |`,
      `| resolve, miss (InnerTube answer parsed, formats chosen, cached; incl. loopback I/O) | ${miss.toFixed(3)} ms |`,
      `| resolve, miss with the upstream's answers replayed from memory (no socket; the Cache API write remains) | ${replayedMiss.toFixed(3)} ms |`,
      `| bare JSON.parse of the same ${(body.length / 1024).toFixed(0)} KiB player body | ${parse.toFixed(3)} ms |`,
      '',
    ].join('\n'),
  );
});

/**
 * Runs `body` with every upstream answer the given misses fetched served from
 * memory instead of the loopback socket, so a miss's time is its own work.
 * The answers are captured from the test upstream first, then replayed for
 * fresh ids (the player answer does not depend on the id asked for).
 */
async function withUpstreamInMemory<T>(seenIds: string[], body: (freshIds: string[]) => Promise<T>): Promise<T> {
  const realFetch = globalThis.fetch;
  const answers = new Map<string, { body: ArrayBuffer; status: number; headers: Headers }>();
  let replaying = false;
  const keyOf = (request: Request) => `${request.method} ${new URL(request.url).pathname}`;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const known = answers.get(keyOf(request));
    if (known) return new Response(known.body.slice(0), { status: known.status, headers: known.headers });
    if (replaying) throw new Error(`a replayed miss went to the network: ${keyOf(request)}`);
    const response = await realFetch(request);
    answers.set(keyOf(request), { body: await response.clone().arrayBuffer(), status: response.status, headers: new Headers(response.headers) });
    return response;
  };
  try {
    // One more real miss fills the answers.
    await upstream.alias('wbenchfill0', 'M4gD1WSo5mA');
    const app = createApp();
    const ctx = createExecutionContext();
    await (await app.fetch(new Request('http://api.test/v1/resolve?query=wbenchfill0', { headers: { 'X-API-Key': TEST_ADMIN_KEY } }), { ...env, RATE_LIMIT_PER_MINUTE: '0', KEY_RATE_LIMIT_PER_MINUTE: '0', LOG_QUEUE: undefined, LOG_LEVEL: 'error' }, ctx)).arrayBuffer();
    await waitOnExecutionContext(ctx);
    const freshIds = seenIds.map((id) => id.replace('wbench', 'wmemor'));
    replaying = true;
    return await body(freshIds);
  } finally {
    globalThis.fetch = realFetch;
  }
}
