import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../workers/api/src/index';
import { createD1Store } from '../workers/core/src/store/d1-store';
import { apiJson, createKey, TEST_ADMIN_KEY } from './support/api';
import { recordingApi } from './support/recording-api';

/**
 * LOG_SAMPLE_ONE_IN: at millions of requests a day a row per request is what
 * the store costs most (five D1 rows written each, docs/deploying.md), so an
 * operator can log one request in N. A kept record carries its weight, and
 * every figure built from the log (stats, a key's usage) counts it N times.
 */
const store = createD1Store((env as unknown as { DB: D1Database }).DB);

describe('request-log sampling', () => {
  it('logs every request, with no weight, when LOG_SAMPLE_ONE_IN is left at 1', async () => {
    const { shipped, call } = recordingApi();
    await Promise.all(Array.from({ length: 5 }, () => call('/v1/resolve?query=', { headers: { 'X-API-Key': TEST_ADMIN_KEY } })));
    expect(shipped).toHaveLength(5);
    expect(shipped.every((record) => record.weight === undefined)).toBe(true);
  });

  it('ships about one request in N, errors and successes alike, each kept record counted N times', async () => {
    const { shipped, call } = recordingApi({ LOG_SAMPLE_ONE_IN: '4' });
    const statuses = new Set<number>();
    // In rounds of 40 at once: each round waits for the log shipper's one flush.
    for (let round = 0; round < 4; round++) {
      const responses = await Promise.all(Array.from({ length: 40 }, (_, index) => call(`/v1/resolve?query=${index % 2 ? 'M4gD1WSo5mA' : ''}`, { headers: { 'X-API-Key': TEST_ADMIN_KEY } })));
      for (const response of responses) statuses.add(response.status);
    }
    expect([...statuses].sort()).toEqual([200, 400]);
    // 160 draws kept with probability 1/4: 40 expected, these bounds are over five standard deviations wide.
    expect(shipped.length).toBeGreaterThanOrEqual(12);
    expect(shipped.length).toBeLessThanOrEqual(68);
    expect(new Set(shipped.map((record) => record.weight))).toEqual(new Set([4]));
    expect(new Set(shipped.map((record) => record.status))).toEqual(new Set([200, 400]));
  });

  it('tells the dashboard when its figures are estimates from a sample', async () => {
    const admin = { headers: { 'X-API-Key': TEST_ADMIN_KEY } };
    expect((await (await recordingApi().call('/admin/stats/overview', admin)).json<any>()).logging).toEqual({ sample_one_in: 1 });
    expect((await (await recordingApi({ LOG_SAMPLE_ONE_IN: '25' }).call('/admin/stats/overview', admin)).json<any>()).logging).toEqual({ sample_one_in: 25 });
  });

  it('counts a weighted record N times in the key’s usage and in the dashboard’s figures', async () => {
    const { record: key } = await createKey({ name: 'sampled bot' });
    const time = new Date();
    const record = (id: string, weight?: number) => ({
      request_id: id, time: time.toISOString(), endpoint: '/v1/resolve', method: 'GET', key_id: key.id, client_ip: '203.0.113.9',
      status: 200, error_code: null, duration_ms: 40, query: 'M4gD1WSo5mA', colo: null, cache: 'hit', ...(weight ? { weight } : {}),
    });
    const prefix = `sampled-${crypto.randomUUID().slice(0, 8)}-`;
    const batch = createMessageBatch('yt-api-request-logs', [{ id: 'm0', timestamp: time, attempts: 1, body: { records: [record(`${prefix}a`, 50), record(`${prefix}b`)] } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, env as never, ctx);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);

    expect((await store.getKeyById(key.id))!.total_used).toBe(51);
    const logs = await apiJson(`/admin/logs?key_id=${key.id}`);
    expect(logs.body.items.map((item: { request_id: string; weight?: number }) => [item.request_id, item.weight])).toEqual([
      [`${prefix}b`, undefined],
      [`${prefix}a`, 50],
    ]);
    const top = await apiJson(`/admin/stats/top-keys?limit=100`);
    expect(top.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ key_id: key.id, total: 51 })]));
  });
});
