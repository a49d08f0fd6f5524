import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../workers/core/src/errors';
import { createLogger } from '../../workers/core/src/logging/logger';
import { createOutbound } from '../../workers/core/src/outbound/http';
import { createMetadataStore } from '../../workers/core/src/store/index';
import { mongodbObjectName } from '../../workers/core/src/store/mongodb-store';
import type { MetadataStore } from '../../workers/core/src/store/types';
import { createApp } from '../../workers/api/src/app';
import worker from '../../workers/api/src/index';
import { TEST_ADMIN_KEY } from '../support/api';
import { describeStoreContract, hashOf } from './store.contract';

/**
 * METADATA_STORE=mongodb: the official driver, inside the MongoStoreConnection
 * Durable Object in workerd, talking to the wire-protocol test server
 * (test/servers/mongo-wire.ts) over a real TCP socket.
 */
const testEnv = env as unknown as {
  MONGODB_TEST_URI: string;
  MONGODB_TEST_WRONG_PASSWORD_URI: string;
  MONGODB_TEST_CONTROL: string;
  MONGO_TEST_URL: string;
  MONGO_TEST_API_KEY: string;
  MONGODB_STORE: DurableObjectNamespace;
};
const password = decodeURIComponent(new URL(testEnv.MONGODB_TEST_URI.replace(/^mongodb/, 'http')).password);

const logger = createLogger({ level: 'error', format: 'json', sink: () => {} });
const outbound = createOutbound({ upstreamOrigins: {}, timeoutMs: 10_000, logger });

function driverStore(settings: Record<string, string> = {}): { store: MetadataStore; database: string } {
  const database = `w_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const store = createMetadataStore(
    { METADATA_STORE: 'mongodb', MONGODB_URI: testEnv.MONGODB_TEST_URI, MONGO_DATABASE: database, MONGODB_STORE: testEnv.MONGODB_STORE, ...settings },
    { outbound, logger },
  );
  return { store, database };
}

async function control(path: string, body: Record<string, unknown> = {}, method = 'POST'): Promise<any> {
  const query = method === 'GET' ? `?${new URLSearchParams(body as Record<string, string>)}` : '';
  const response = await fetch(`${testEnv.MONGODB_TEST_CONTROL}/__control/${path}${query}`, method === 'POST' ? { method, body: JSON.stringify(body) } : {});
  return response.json();
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const newKey = (seed: string) => ({ key_hash: hashOf(seed), name: `Bot ${seed}`, tier: 'user' as const, daily_limit: 10, expires_at: null });
const logRecord = (n: number) => ({
  request_id: `req-${n}`,
  time: new Date(Date.UTC(2030, 0, 1, 0, 0, n % 60)),
  endpoint: '/v1/resolve',
  method: 'GET',
  key_id: null,
  client_ip: '198.51.100.1',
  status: 200,
  error_code: null,
  duration_ms: n,
  query: null,
  colo: null,
  cache: null,
});

describeStoreContract('MongoDB driver over the wire protocol', async () => driverStore().store);

describe('MongoDB driver backend', () => {
  afterEach(async () => {
    await control('fault', { mode: 'none' });
  });

  it('creates the Data API backend\'s indexes on first use: unique keys, the logs\' TTL from LOG_RETENTION_DAYS', async () => {
    const { store, database } = driverStore({ LOG_RETENTION_DAYS: '30' });
    await store.countKeys(new Date());
    const indexesOf = async (collection: string) => (await control('indexes', { database, collection }, 'GET')).indexes as Array<Record<string, unknown>>;
    expect(await indexesOf('api_keys')).toEqual(expect.arrayContaining([expect.objectContaining({ key: { key_hash: 1 }, unique: true })]));
    expect(await indexesOf('api_logs')).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { request_id: 1 }, unique: true }), expect.objectContaining({ key: { time: 1 }, expireAfterSeconds: 30 * 86_400 })]),
    );
    expect(await indexesOf('cache_metadata')).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { video_id: 1, type: 1 }, unique: true }), expect.objectContaining({ key: { expires_at: 1 }, expireAfterSeconds: 0 })]),
    );
  });

  it('shares documents with the Data API backend: a key made through one works through the other', async () => {
    const { store, database } = driverStore();
    const created = await store.createKey(newKey('shared'));
    const [document] = (await control('dump', { database, collection: 'api_keys' }, 'GET')).documents;
    expect(document).toMatchObject({ _id: created.id, id: created.id, key_hash: hashOf('shared'), name_lower: 'bot shared', created_at: { $date: expect.anything() } });

    // The same document, written into the Data API test server, reads back through the Data API backend.
    const dataApi = createMetadataStore(
      { METADATA_STORE: 'mongo-data-api', MONGO_DATA_API_URL: testEnv.MONGO_TEST_URL, MONGO_DATA_API_KEY: testEnv.MONGO_TEST_API_KEY, MONGO_DATABASE: database },
      { outbound, logger },
    );
    const response = await fetch(`${testEnv.MONGO_TEST_URL}/action/insertOne`, {
      method: 'POST',
      headers: { 'content-type': 'application/ejson', 'api-key': testEnv.MONGO_TEST_API_KEY },
      body: JSON.stringify({ dataSource: 'Cluster0', database, collection: 'api_keys', document }),
    });
    expect(response.status).toBe(200);
    expect(await dataApi.getKeyByHash(hashOf('shared'))).toEqual(created);
  });

  it('answers a duplicate key as store.conflict without the key hash', async () => {
    const { store } = driverStore();
    await store.createKey(newKey('dup'));
    const error = await rejection(store.createKey({ ...newKey('dup'), id: 'other-id' }));
    expect(error.code).toBe('store.conflict');
    expect(error.message).not.toContain(hashOf('dup'));
  });

  it('pages a long find through getMore', async () => {
    const { store, database } = driverStore();
    const batch = Array.from({ length: 230 }, (_, n) => logRecord(n));
    expect((await store.appendLogs(batch)).inserted).toBe(230);
    expect((await store.appendLogs(batch)).inserted).toBe(0);
    const page = await store.listLogs({ page: 1, pageSize: 200 });
    expect(page.total).toBe(230);
    expect(page.items).toHaveLength(200);
    const calls = (await control('calls', { database }, 'GET')).calls as Array<{ command: string }>;
    expect(calls.map((call) => call.command)).toContain('getMore');
  });

  it('refuses a wrong password as store.rejected, naming the cause and never the URI or password', async () => {
    const { store } = driverStore({ MONGODB_URI: testEnv.MONGODB_TEST_WRONG_PASSWORD_URI });
    const error = await rejection(store.getKeyById('whatever'));
    expect(error.code).toBe('store.rejected');
    expect(error.message).toMatch(/authentication failed/);
    expect(error.message).not.toContain(password);
    expect(error.message).not.toContain('mongodb://');
    expect(await store.ping()).toMatchObject({ ok: false, backend: 'mongodb', error: 'store.rejected' });
  });

  it('gives up on a server slower than MONGO_TIMEOUT_MS with store.unavailable', async () => {
    const { store } = driverStore({ MONGO_TIMEOUT_MS: '500' });
    await store.createKey(newKey('slow'));
    // Twice: the driver retries a read once on a fresh connection, as the Data API backend did.
    await control('fault', { mode: 'hang', commands: ['find'], times: 2 });
    const error = await rejection(store.getKeyByHash(hashOf('slow')));
    expect(error.code).toBe('store.unavailable');
    expect(error.message).toMatch(/within 500 ms|lost during/);
    // The next call gets a fresh connection and an answer.
    expect(await store.getKeyByHash(hashOf('slow'))).toMatchObject({ name: 'Bot slow' });
  });

  it('survives the server going away mid-batch: store.unavailable, then the retried batch lands once', async () => {
    const { store } = driverStore();
    const batch = Array.from({ length: 5 }, (_, n) => logRecord(n));
    await store.countKeys(new Date());
    await control('fault', { mode: 'drop', commands: ['insert'], times: 1 });
    const error = await rejection(store.appendLogs(batch));
    expect(error.code).toBe('store.unavailable');
    expect(error.message).toMatch(/lost during insert on api_logs|within/);
    expect(await store.appendLogs(batch)).toMatchObject({ inserted: 5 });
    expect(await store.appendLogs(batch)).toEqual({ inserted: 0, insertedIds: [] });
  });

  it('lets go of its client once no call came for a while, so its object can hibernate, and connects again on the next call', async () => {
    const { store, database } = driverStore();
    const object = testEnv.MONGODB_STORE.getByName(mongodbObjectName({ uri: testEnv.MONGODB_TEST_URI, database, timeoutMs: 0, logRetentionDays: 0 }));
    // The idle close is a minute deployed; here a fifth of a second. An open client's driver timers keep the object from hibernating.
    await runInDurableObject(object, (instance) => void Object.assign(instance, { idleCloseMs: 200 }));
    const holdsClient = () => runInDurableObject(object, (instance) => (instance as unknown as { connection?: unknown }).connection !== undefined);
    const created = await store.createKey(newKey('idle-close'));
    expect(await holdsClient()).toBe(true);
    await vi.waitUntil(async () => !(await holdsClient()), { timeout: 5_000, interval: 50 });
    expect(await store.getKeyByHash(hashOf('idle-close'))).toMatchObject({ id: created.id, name: 'Bot idle-close' });
    expect(await holdsClient()).toBe(true);
  });

  it('reports an unreachable cluster as store.unavailable, and the round trip of a healthy one', async () => {
    const { store } = driverStore({ MONGODB_URI: 'mongodb://user:secret-pass@127.0.0.1:1/?directConnection=true', MONGO_TIMEOUT_MS: '500' });
    const error = await rejection(store.countKeys(new Date()));
    expect(error.code).toBe('store.unavailable');
    expect(error.message).not.toContain('secret-pass');
    const healthy = await driverStore().store.ping();
    expect(healthy).toMatchObject({ ok: true, backend: 'mongodb' });
    expect(healthy.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('pings the cluster from /health?deep=true with its round trip, and says a refused password is why it is degraded', async () => {
    const deepHealth = async (uri: string) => {
      const ctx = createExecutionContext();
      const settings = { ...env, METADATA_STORE: 'mongodb', MONGODB_URI: uri, MONGO_DATABASE: 'health_check' };
      const response = await createApp().fetch(new Request('http://api.test/health?deep=true', { headers: { 'X-API-Key': TEST_ADMIN_KEY } }), settings, ctx);
      await waitOnExecutionContext(ctx);
      return response.text();
    };
    const healthy = JSON.parse(await deepHealth(testEnv.MONGODB_TEST_URI));
    expect(healthy.store).toEqual({ ok: true, backend: 'mongodb', latency_ms: expect.any(Number) });
    const refused = await deepHealth(testEnv.MONGODB_TEST_WRONG_PASSWORD_URI);
    expect(JSON.parse(refused)).toMatchObject({ status: 'degraded', store: { ok: false, backend: 'mongodb', error: 'store.rejected' } });
    expect(refused).not.toContain(password);
  });

  it('keeps request logs in the queue through a cluster outage, then stores each once', async () => {
    const database = `q_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const settings = { ...env, METADATA_STORE: 'mongodb', MONGODB_URI: testEnv.MONGODB_TEST_URI, MONGO_DATABASE: database, MONGO_TIMEOUT_MS: '500' };
    const messages = [1, 2, 3].map((n) => ({ id: `msg-${n}`, timestamp: new Date(), attempts: 1, body: { ...logRecord(100 + n), time: new Date().toISOString() } }));
    const deliver = async (attempts: number) => {
      const batch = createMessageBatch('yt-api-request-logs', messages.map((message) => ({ ...message, attempts })));
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, settings as never, ctx);
      return getQueueResult(batch, ctx);
    };
    await control('fault', { mode: 'drop' });
    const failed = await deliver(1);
    expect(failed.retryBatch.retry).toBe(true);
    expect(failed.ackAll).toBe(false);
    await control('fault', { mode: 'none' });
    expect((await deliver(2)).ackAll).toBe(true);
    expect((await deliver(3)).ackAll).toBe(true);
    const stored = (await control('dump', { database, collection: 'api_logs' }, 'GET')).documents as Array<{ request_id: string }>;
    expect(stored.map((doc) => doc.request_id).sort()).toEqual(['req-101', 'req-102', 'req-103']);
  });
});
