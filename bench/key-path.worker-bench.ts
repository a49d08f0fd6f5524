import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { createKey } from '../test/support/api';
import { holdsWriteTimer } from '../test/support/quota-counter';
import { sha256, toHex } from '../workers/core/src/hash';
import { signStreamToken } from '../workers/core/src/stream/token';
import { revocationCutoff } from '../workers/api/src/stream-links/revocation-cutoff';
import type { QuotaCounter } from '../workers/api/src/quota/quota-counter';

/**
 * Issue 22's counts, inside workerd: how many Durable Object calls and Durable Object storage
 * writes a keyed metadata-cache hit makes (every namespace's stubs are counted on the env the app
 * is handed; the key's QuotaCounter's storage is counted on the object itself, at its deployed
 * flush cadence: vitest.bench-worker.config.ts leaves QUOTA_FLUSH_MS unset), and what each
 * strict check costs one request, timed alone: the per-key rate limit (the binding's call), the
 * link bookkeeping (what minting a resolve's two links costs keyed, over keyless: each carries its key sealed) and the
 * revocation check of a stream request (the isolate's cut-off copy). And how long after a key's last
 * request its object still holds a timer, which keeps it from hibernating: idle time Cloudflare bills.
 */
type Namespace = DurableObjectNamespace<Rpc.DurableObjectBranded>;
const plain = env as unknown as Record<string, unknown>;

function countingEnv(calls: Map<string, number>): Record<string, unknown> {
  const counted: Record<string, unknown> = { ...plain, RATE_LIMIT_PER_MINUTE: '0', KEY_RATE_LIMIT_PER_MINUTE: '0', LOG_QUEUE: undefined, LOG_LEVEL: 'error' };
  for (const [name, binding] of Object.entries(plain)) {
    if (!binding || typeof (binding as Namespace).getByName !== 'function') continue;
    const namespace = binding as Namespace;
    const stubOf = (stub: DurableObjectStub) =>
      new Proxy(stub, {
        get(target, property) {
          const value = Reflect.get(target, property);
          if (typeof value !== 'function' || property === 'then') return value;
          return (...args: unknown[]) => {
            calls.set(`${name}.${String(property)}`, (calls.get(`${name}.${String(property)}`) ?? 0) + 1);
            return (target as unknown as Record<string | symbol, (...a: unknown[]) => unknown>)[property]!(...args);
          };
        },
      });
    counted[name] = new Proxy(namespace, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property === 'getByName') return (...args: [string]) => stubOf(target.getByName(...args) as unknown as DurableObjectStub);
        if (property === 'get') return (...args: [DurableObjectId]) => stubOf(target.get(...args) as unknown as DurableObjectStub);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
  return counted;
}

it('prints the keyed path’s Durable Object calls, storage writes and the cost of each check', async () => {
  const app = createApp();
  const { key } = await createKey({ name: 'key-path bench', daily_limit: 100_000_000 });
  const keyHash = toHex(await sha256(key.toLowerCase()));
  const calls = new Map<string, number>();
  const counted = countingEnv(calls);
  const hit = async () => {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request('http://api.test/v1/resolve?query=M4gD1WSo5mA', { headers: { 'X-API-Key': key } }), counted, ctx);
    await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    if (response.status !== 200) throw new Error(`a keyed hit answered ${response.status}`);
  };
  // The first requests fill the metadata cache and the key's object (from the store).
  for (let index = 0; index < 5; index++) await hit();
  const writes = new Map<string, number>();
  await runInDurableObject((env as unknown as { QUOTA: DurableObjectNamespace<QuotaCounter> }).QUOTA.getByName(keyHash), (instance) => {
    const storage = (instance as unknown as { ctx: DurableObjectState }).ctx.storage as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const method of ['put', 'delete', 'deleteAll', 'setAlarm', 'deleteAlarm']) {
      const original = storage[method]!.bind(storage);
      storage[method] = (...args: unknown[]) => (writes.set(method, (writes.get(method) ?? 0) + 1), original(...args));
    }
  });
  calls.clear();
  const requests = 300;
  const started = performance.now();
  for (let index = 0; index < requests; index++) await hit();
  const elapsedMs = performance.now() - started;
  // How long after its last request the key's object still holds a timer: it cannot hibernate then, and is billed for the time.
  const quota = (env as unknown as { QUOTA: DurableObjectNamespace<QuotaCounter> }).QUOTA.getByName(keyHash);
  const lastRequestAt = performance.now();
  while ((await holdsWriteTimer(quota)) && performance.now() - lastRequestAt < 30_000) await new Promise((resolve) => setTimeout(resolve, 10));
  const billedIdleMs = performance.now() - lastRequestAt;
  // The writes include the one made once the key went quiet, at the deployed cadence.
  const doCalls = [...calls.values()].reduce((sum, count) => sum + count, 0);
  const storageWrites = [...writes.values()].reduce((sum, count) => sum + count, 0);

  const time = async (runs: number, body: () => Promise<unknown>) => {
    const begun = performance.now();
    for (let index = 0; index < runs; index++) await body();
    return (performance.now() - begun) / runs;
  };
  const limiter = plain.KEY_RATE_LIMITER as RateLimit;
  const rateLimitMs = await time(500, () => limiter.limit({ key: 'key:bench' }));
  const secret = String(plain.STREAM_SIGNING_KEY);
  const claims = { videoId: 'M4gD1WSo5mA', itag: 251, type: 'audio' as const, delivery: 'direct' as const, expiresAt: 2e9, issuedAt: 1.9e9 };
  const keylessMs = await time(500, () => signStreamToken({ ...claims, keyHash: null }, secret));
  const keyedMs = await time(500, () => signStreamToken({ ...claims, keyHash }, secret));
  const sealMs = Math.max(0, keyedMs - keylessMs);
  const revocations = plain.STREAM_LINKS as Parameters<typeof revocationCutoff>[0];
  await revocationCutoff(revocations);
  const cutoffMs = await time(500, () => revocationCutoff(revocations));
  const counter = (env as unknown as { QUOTA: DurableObjectNamespace<QuotaCounter> }).QUOTA.getByName(keyHash);
  const consumeMs = await time(300, () => counter.consume(Date.now()));
  const figures = {
    requests,
    doCallsPerRequest: doCalls / requests,
    calls: Object.fromEntries(calls),
    storageWritesPerRequest: storageWrites / requests,
    writes: Object.fromEntries(writes),
    runMs: elapsedMs,
    billedIdleMs,
    rateLimitMs,
    linkSealMs: sealMs * 2,
    revocationMs: cutoffMs,
    consumeMs,
  };
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  console.log(
    [
      '',
      '| the keyed path, inside workerd | value |',
      '| --- | --- |',
      `| Durable Object calls per keyed hit (${requests} hits) | ${figures.doCallsPerRequest.toFixed(3)} (${[...calls].map(([name, count]) => `${name} ${count}`).join(', ') || 'none'}) |`,
      `| Durable Object storage writes per keyed hit (${requests} hits in ${ms(elapsedMs)}, deployed flush cadence) | ${figures.storageWritesPerRequest.toFixed(3)} (${[...writes].map(([name, count]) => `${name} ${count}`).join(', ') || 'none'}) |`,
      `| after a key's last request, its object holds its write timer (cannot hibernate: billed duration) for | ${ms(billedIdleMs)} |`,
      `| the key's one call (QuotaCounter.consume), alone | ${ms(consumeMs)} |`,
      `| per-key rate limit: KEY_RATE_LIMITER.limit, alone | ${ms(rateLimitMs)} |`,
      `| link bookkeeping: a resolve's two links minted keyed, over keyless | ${ms(figures.linkSealMs)} |`,
      `| revocation check of a stream request (the isolate's cut-off copy) | ${ms(cutoffMs)} |`,
      '',
      `BENCH_KEY_FIGURES ${JSON.stringify(figures)}`,
      '',
    ].join('\n'),
  );
});
