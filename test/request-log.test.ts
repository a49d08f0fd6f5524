import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import worker from '../workers/api/src/index';
import { api, apiJson, createKey, TEST_ADMIN_KEY, withKey } from './support/api';

const bindings = env as unknown as Record<string, string> & { MONGO_TEST_URL: string; MONGO_TEST_API_KEY: string };

async function mongoControl(path: string, body: Record<string, unknown>) {
  const response = await fetch(`${new URL(bindings.MONGO_TEST_URL).origin}/__control/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return response.json<any>();
}

function logMessage(n: number) {
  return {
    id: `msg-${n}`,
    timestamp: new Date(),
    attempts: 1,
    body: {
      request_id: `req-outage-${n}`,
      time: new Date().toISOString(),
      endpoint: '/v1/resolve',
      method: 'GET',
      key_id: 'abc123',
      client_ip: '203.0.113.1',
      status: 200,
      error_code: null,
      duration_ms: 12,
      query: 'M4gD1WSo5mA',
      colo: 'BOM',
      cache: null,
    },
  };
}

describe('request log pipeline', () => {
  it('retries a batch through a store outage and then stores every record exactly once', async () => {
    const database = `logs_${crypto.randomUUID().slice(0, 8)}`;
    const mongoEnv = { ...env, METADATA_STORE: 'mongo', MONGO_DATA_API_URL: bindings.MONGO_TEST_URL, MONGO_DATA_API_KEY: bindings.MONGO_TEST_API_KEY, MONGO_DATABASE: database };
    const messages = [1, 2, 3, 4, 5].map(logMessage);

    await mongoControl('fault', { mode: '500', database });
    const failingBatch = createMessageBatch('yt-api-request-logs', messages);
    const failingCtx = createExecutionContext();
    await worker.queue(failingBatch as MessageBatch<unknown>, mongoEnv as never, failingCtx);
    const failed = await getQueueResult(failingBatch, failingCtx);
    expect(failed.retryBatch.retry).toBe(true);
    expect(failed.ackAll).toBe(false);

    await mongoControl('fault', { mode: 'none', database });
    for (let delivery = 0; delivery < 2; delivery++) {
      const batch = createMessageBatch('yt-api-request-logs', messages.map((message) => ({ ...message, attempts: 2 + delivery })));
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, mongoEnv as never, ctx);
      expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    }
    const dump = await fetch(`${new URL(bindings.MONGO_TEST_URL).origin}/__control/dump?database=${database}&collection=api_logs`).then((r) => r.json<any>());
    expect(dump.documents.map((doc: any) => doc.request_id).sort()).toEqual(messages.map((m) => m.body.request_id).sort());
  });

  it('stores packed messages and single-record ones (sent before packing) alike', async () => {
    const database = `logs_${crypto.randomUUID().slice(0, 8)}`;
    const mongoEnv = { ...env, METADATA_STORE: 'mongo', MONGO_DATA_API_URL: bindings.MONGO_TEST_URL, MONGO_DATA_API_KEY: bindings.MONGO_TEST_API_KEY, MONGO_DATABASE: database };
    const [one, two, three] = [11, 12, 13].map(logMessage);
    const messages: Parameters<typeof createMessageBatch>[1] = [{ ...one!, body: { records: [one!.body, two!.body] } }, three!, { ...three!, id: 'bad', body: { records: [] } }];
    const batch = createMessageBatch('yt-api-request-logs', messages);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, mongoEnv as never, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    expect(result.explicitAcks).toContain('bad');
    const dump = await fetch(`${new URL(bindings.MONGO_TEST_URL).origin}/__control/dump?database=${database}&collection=api_logs`).then((r) => r.json<any>());
    expect(dump.documents.map((doc: any) => doc.request_id).sort()).toEqual(['req-outage-11', 'req-outage-12', 'req-outage-13']);
  });

  it('logs every request with its key id, never the key or another secret', async () => {
    const { key, record } = await createKey({ name: 'logged bot' });
    const log = vi.spyOn(console, 'log');
    const first = await api(`/v1/resolve?query=M4gD1WSo5mA&api_key=${key}`);
    const second = await api('/v1/resolve?query=', withKey(key));
    const ids = [first.headers.get('X-Request-Id'), second.headers.get('X-Request-Id')];

    let items: any[] = [];
    for (let attempt = 0; attempt < 120 && items.length < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      items = (await apiJson(`/admin/logs?key_id=${record.id}`)).body.items;
    }
    expect(items.map((item) => item.request_id).sort()).toEqual([...ids].sort());
    const byId = Object.fromEntries(items.map((item) => [item.request_id, item]));
    expect(byId[ids[0]!]).toMatchObject({ endpoint: '/v1/resolve', method: 'GET', status: 200, key_id: record.id, query: 'M4gD1WSo5mA', error_code: null });
    expect(byId[ids[1]!]).toMatchObject({ status: 400, error_code: 'query.missing' });
    expect(typeof byId[ids[0]!].duration_ms).toBe('number');
    expect(byId[ids[0]!].client_ip).toMatch(/^10\./);

    // A refused request is still traced to its key (by id) once the key is known.
    await apiJson(`/admin/keys/${record.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ active: false }) });
    const refused = await api('/v1/resolve?query=M4gD1WSo5mA', withKey(key));
    expect(refused.status).toBe(403);
    const refusedId = refused.headers.get('X-Request-Id');
    let refusedItems: any[] = [];
    for (let attempt = 0; attempt < 120 && refusedItems.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      refusedItems = (await apiJson(`/admin/logs?key_id=${record.id}&status=403`)).body.items;
    }
    expect(refusedItems.map((item) => item.request_id)).toEqual([refusedId]);
    expect(refusedItems[0].error_code).toBe('key.revoked');

    const everything = JSON.stringify([...items, ...refusedItems]) + log.mock.calls.flat().join('\n');
    for (const secret of [key, TEST_ADMIN_KEY, bindings.STREAM_SIGNING_KEY!]) expect(everything).not.toContain(secret);
    log.mockRestore();
  });
});
