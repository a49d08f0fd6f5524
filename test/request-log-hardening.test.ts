import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../workers/api/src/index';
import { shipRecords } from '../workers/api/src/logging/ship-records';
import type { LogMessage } from '../workers/api/src/logging/request-log-message';
import { createLogger } from '../workers/core/src/logging/logger';
import { createD1Store } from '../workers/core/src/store/d1-store';
import { api, apiJson, createKey, TEST_ADMIN_KEY } from './support/api';
import { recordingApi } from './support/recording-api';

/**
 * Issue 12 §2: the request log cannot be poisoned or lost. Every record is the
 * service's own, one bad record never takes others with it, usage is counted
 * from the rows that were new, keys never reach a log, and a record survives
 * a store outage, a queue that refuses sends, and a redelivered batch.
 */
const bindings = env as unknown as Record<string, string> & { DB: D1Database };
const store = createD1Store(bindings.DB);
const quiet = createLogger({ level: 'error', format: 'json', sink: () => {} });

afterEach(() => vi.restoreAllMocks());

function record(id: string, overrides: Partial<LogMessage> = {}): LogMessage {
  return {
    request_id: id,
    time: new Date().toISOString(),
    endpoint: '/v1/resolve',
    method: 'GET',
    key_id: null,
    client_ip: '203.0.113.9',
    status: 200,
    error_code: null,
    duration_ms: 4,
    query: 'M4gD1WSo5mA',
    colo: null,
    cache: null,
    ...overrides,
  };
}

async function deliver(bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    'yt-api-request-logs',
    bodies.map((body, index) => ({ id: `m${index}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env as never, ctx);
  return getQueueResult(batch, ctx);
}

async function storedIds(prefix: string): Promise<string[]> {
  const { results } = await bindings.DB.prepare('SELECT request_id FROM api_logs WHERE request_id LIKE ? ORDER BY request_id').bind(`${prefix}%`).all<{ request_id: string }>();
  return results.map((row) => row.request_id);
}

async function usageOf(keyId: string): Promise<number> {
  return (await store.getKeyById(keyId))!.total_used;
}

describe('request ids', () => {
  it("are the service's own: a forged, oversized or reused X-Request-Id neither replaces them nor drops any record", async () => {
    const { shipped, call } = recordingApi();
    const forged = ['x'.repeat(255), 'reused-id', 'reused-id', 'bad id with spaces'];
    const responses = await Promise.all(forged.map((id) => call('/v1/resolve?query=', { headers: { 'X-Request-Id': id, 'X-API-Key': TEST_ADMIN_KEY } })));
    const ids = responses.map((response) => response.headers.get('X-Request-Id')!);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(4);
    // A well-formed client id is echoed apart; the oversized and malformed ones are not.
    expect(responses.map((response) => response.headers.get('X-Client-Request-Id'))).toEqual([null, 'reused-id', 'reused-id', null]);
    expect(shipped.map((item) => item.request_id).sort()).toEqual([...ids].sort());

    // Through the real queue and consumer, every one of them is stored.
    const results = await Promise.all(forged.map((id) => api('/v1/resolve?query=', { headers: { 'X-Request-Id': id } })));
    const realIds = results.map((response) => response.headers.get('X-Request-Id')!);
    let found: string[] = [];
    for (let attempt = 0; attempt < 120 && found.length < 4; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const rows = await bindings.DB.prepare(`SELECT request_id FROM api_logs WHERE request_id IN (${realIds.map(() => '?').join(',')})`).bind(...realIds).all<{ request_id: string }>();
      found = rows.results.map((row) => row.request_id);
    }
    expect(found.sort()).toEqual([...realIds].sort());
  });
});

describe('the log consumer', () => {
  it('drops a bad record alone: the rest of its packed message is stored', async () => {
    const prefix = `bad-${crypto.randomUUID().slice(0, 8)}-`;
    const result = await deliver([
      { records: [record(`${prefix}1`), record('y'.repeat(300)), { ...record(`${prefix}2`), status: 'ok' }, record(`${prefix}3`)] },
      { records: [{ nonsense: true }] },
    ]);
    expect(result.ackAll).toBe(true);
    expect(result.explicitAcks).toEqual(['m1']);
    expect(result.retryBatch.retry).toBe(false);
    expect(await storedIds(prefix)).toEqual([`${prefix}1`, `${prefix}3`]);
  });

  it('counts usage from the rows that were new: a batch with a known record still counts the others, a redelivery counts nothing', async () => {
    const { record: key } = await createKey({ name: 'usage counted' });
    const prefix = `use-${crypto.randomUUID().slice(0, 8)}-`;
    await deliver([{ records: [record(`${prefix}a`, { key_id: key.id })] }]);
    expect(await usageOf(key.id)).toBe(1);
    // The old record again (a redelivery or a reused id) alongside two new ones, one of them twice.
    const mixed = { records: [record(`${prefix}a`, { key_id: key.id }), record(`${prefix}b`, { key_id: key.id }), record(`${prefix}c`, { key_id: key.id }), record(`${prefix}c`, { key_id: key.id })] };
    expect((await deliver([mixed])).ackAll).toBe(true);
    expect(await usageOf(key.id)).toBe(3);
    // The same batch redelivered: nothing new, nothing counted twice.
    await deliver([mixed], 2);
    expect(await usageOf(key.id)).toBe(3);
    expect(await storedIds(prefix)).toEqual([`${prefix}a`, `${prefix}b`, `${prefix}c`]);
  });
});

describe('shipping records', () => {
  it('retries a refused queue send, and stores nothing twice', async () => {
    const sent: unknown[] = [];
    let refusals = 2;
    const queue = {
      send: async (body: unknown) => {
        if (refusals-- > 0) throw new Error('Queue send failed: internal error');
        sent.push(body);
      },
    };
    const records = [record(`ship-${crypto.randomUUID()}`)];
    await shipRecords(records, { queue: queue as never, store: () => store, logger: quiet }, [1, 1]);
    expect(sent).toEqual([{ records }]);
  });

  it('writes straight to the store when the queue stays down, and a send that did land after all is not doubled', async () => {
    const { record: key } = await createKey({ name: 'queue outage' });
    const prefix = `qdown-${crypto.randomUUID().slice(0, 8)}-`;
    const landed: unknown[] = [];
    // The worst case: the message reached the queue, but the send still reported a failure.
    const queue = {
      send: async (body: unknown) => {
        landed.push(body);
        throw new Error('Queue send failed: timed out');
      },
    };
    const records = [record(`${prefix}1`, { key_id: key.id }), record(`${prefix}2`, { key_id: key.id })];
    await shipRecords(records, { queue: queue as never, store: () => store, logger: quiet }, [1, 1]);
    expect(landed).toHaveLength(3);
    expect(await storedIds(prefix)).toEqual([`${prefix}1`, `${prefix}2`]);
    // The queue then delivers all three copies.
    const result = await deliver(landed);
    expect(result.ackAll).toBe(true);
    expect(await storedIds(prefix)).toEqual([`${prefix}1`, `${prefix}2`]);
    expect(await usageOf(key.id)).toBe(2);
  });

  it('keeps the records in the queue through a store outage, then stores each once', async () => {
    const { record: key } = await createKey({ name: 'store outage' });
    const prefix = `sdown-${crypto.randomUUID().slice(0, 8)}-`;
    const body = { records: [record(`${prefix}1`, { key_id: key.id }), record(`${prefix}2`, { key_id: key.id })] };
    const broken = { ...env, DB: { prepare: () => ({ bind: () => ({}) }), batch: async () => Promise.reject(new Error('D1_ERROR: storage down')) } };
    const batch = createMessageBatch('yt-api-request-logs', [{ id: 'm0', timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, broken as never, ctx);
    const failed = await getQueueResult(batch, ctx);
    expect(failed.retryBatch.retry).toBe(true);
    expect(failed.ackAll).toBe(false);
    for (const attempt of [2, 3]) expect((await deliver([body], attempt)).ackAll).toBe(true);
    expect(await storedIds(prefix)).toEqual([`${prefix}1`, `${prefix}2`]);
    expect(await usageOf(key.id)).toBe(2);
  });
});

describe('keys never reach a log', () => {
  it('masks keys in the logged path and query on every route, also of refused admin requests, which are logged', async () => {
    const { key, record: created } = await createKey({ name: 'to be deleted' });
    const { shipped, call } = recordingApi();
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(String(line)));
    await call(`/admin/delete-key/${key}`, { method: 'DELETE', headers: { 'X-API-Key': 'not-the-admin-key' } });
    await call(`/admin/delete-key/${encodeURIComponent(key)}`, { method: 'DELETE', headers: { 'X-API-Key': key } });
    await call(`/admin/keys?api_key=${key}`);
    await call(`/v1/resolve?query=${key}&api=${key}`);
    await call(`/k/${key}/v1/resolve?query=M4gD1WSo5mA`);
    await call(`/nowhere/${key}?token=${TEST_ADMIN_KEY}`);
    // The bootstrap key looks like no UUID: it is masked as the secret it is, wherever it is put.
    await call(`/nowhere/${TEST_ADMIN_KEY}`);
    await call(`/v1/search?query=${encodeURIComponent(TEST_ADMIN_KEY)}`, { headers: { 'X-API-Key': key } });
    await call(`/admin/delete-key/${key}`, { method: 'DELETE', headers: { 'X-API-Key': TEST_ADMIN_KEY } });

    const text = JSON.stringify(shipped) + lines.join('\n');
    expect(text).not.toContain(key);
    expect(text).not.toContain(encodeURIComponent(key));
    expect(text).not.toContain(TEST_ADMIN_KEY);
    // Refused admin calls (401, 403) are in the log, the deleting one too.
    expect(shipped.map((item) => [item.method, item.endpoint, item.status])).toEqual(
      expect.arrayContaining([
        ['DELETE', '/admin/delete-key/[redacted]', 401],
        ['DELETE', '/admin/delete-key/[redacted]', 403],
        ['GET', '/admin/keys', 403],
        ['DELETE', '/admin/delete-key/:key', 200],
      ]),
    );
    expect(shipped.find((item) => item.endpoint === '/v1/resolve')?.query).toBe('[redacted]');
    expect(await store.getKeyById(created.id)).toBeNull();
  });

  it("masks them in the error handler's own lines, also before the services are built", async () => {
    const { key } = await createKey({ name: 'error paths' });
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(String(line)));
    // No signing key: the services middleware fails and the error handler logs with its fallback logger.
    const { call } = recordingApi({ STREAM_SIGNING_KEY: '' });
    const response = await call(`/admin/delete-key/${key}?api_key=${TEST_ADMIN_KEY}`, { method: 'DELETE', headers: { 'X-API-Key': TEST_ADMIN_KEY } });
    expect(response.status).toBe(500);
    const text = lines.join('\n');
    expect(text).toContain('request.failed');
    expect(text).toContain('/admin/delete-key/[redacted]');
    expect(text).not.toContain(key);
    expect(text).not.toContain(TEST_ADMIN_KEY);
  });
});
