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
  const quiet = { ...env, RATE_LIMIT_PER_MINUTE: '0', LOG_QUEUE: undefined, LOG_LEVEL: 'error' };
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
  const body = JSON.stringify(playerRecording.response.body);
  const parse = await time(500, () => JSON.parse(body));
  console.log(
    [
      '',
      '| inside workerd (bindings excluded) | value |',
      '| --- | --- |',
      `| resolve, metadata-cache hit | ${hit.toFixed(3)} ms |`,
      `| resolve, miss (InnerTube answer parsed, formats chosen, cached; incl. loopback I/O) | ${miss.toFixed(3)} ms |`,
      `| bare JSON.parse of the same ${(body.length / 1024).toFixed(0)} KiB player body | ${parse.toFixed(3)} ms |`,
      '',
    ].join('\n'),
  );
});
