import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../workers/core/src/errors';
import { createLogger } from '../../workers/core/src/logging/logger';
import { createOutbound } from '../../workers/core/src/outbound/http';
import { createMetadataStore } from '../../workers/core/src/store/index';
import { describeStoreContract, hashOf } from './store.contract';
import type { MetadataStore } from '../../workers/core/src/store/types';

const testEnv = env as unknown as { MONGO_TEST_URL: string; MONGO_TEST_API_KEY: string };
const controlBase = new URL(testEnv.MONGO_TEST_URL).origin;

interface Harness {
  store: MetadataStore;
  database: string;
  /** Every line the store logged. */
  lines: string[];
}

function mongoHarness(settings: Record<string, string> = {}): Harness {
  const database = `t_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => lines.push(line) });
  const outbound = createOutbound({ upstreamOrigins: {}, timeoutMs: 10_000, logger });
  const store = createMetadataStore(
    {
      METADATA_STORE: 'mongo',
      MONGO_DATA_API_URL: testEnv.MONGO_TEST_URL,
      MONGO_DATA_API_KEY: testEnv.MONGO_TEST_API_KEY,
      MONGO_DATABASE: database,
      ...settings,
    },
    { outbound, logger },
  );
  return { store, database, lines };
}

async function control(path: string, body: Record<string, unknown> = {}, method = 'POST'): Promise<any> {
  const init = method === 'POST' ? { method, body: JSON.stringify(body) } : {};
  const query = method === 'GET' ? `?${new URLSearchParams(body as Record<string, string>)}` : '';
  const response = await fetch(`${controlBase}/__control/${path}${query}`, init);
  return JSON.parse(new TextDecoder().decode(await response.arrayBuffer()));
}

const fault = (database: string, mode: string, extra: Record<string, unknown> = {}) => control('fault', { database, mode, ...extra });
const callsOf = async (database: string, action: string) =>
  ((await control('calls', { database }, 'GET')).calls as Array<{ action: string }>).filter((call) => call.action === action).length;

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

describeStoreContract('Mongo Data API', async () => mongoHarness().store);

describe('Mongo backend over the wire', () => {
  const used: string[] = [];
  const harness = (settings?: Record<string, string>) => {
    const made = mongoHarness(settings);
    used.push(made.database);
    return made;
  };
  afterEach(async () => {
    for (const database of used.splice(0)) await control('reset', { database });
  });

  it('has a test server that refuses duplicates as MongoDB does: unique _id and unique indexes, E11000 in the Data API shape', async () => {
    const { database } = harness();
    const call = async (action: string, body: Record<string, unknown>) => {
      const response = await fetch(`${testEnv.MONGO_TEST_URL}/action/${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'api-key': testEnv.MONGO_TEST_API_KEY },
        body: JSON.stringify({ dataSource: 'Cluster0', database, collection: 'cache_metadata', ...body }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    const entry = (id: string, video: string) => ({ _id: id, video_id: video, type: 'audio', status: 'pending' });
    expect((await call('insertOne', { document: entry('audio:aaaaaaaaaaa', 'aaaaaaaaaaa') })).status).toBe(200);
    const duplicate = (index: string, key: string) => ({
      status: 409,
      body: { error_code: 'DuplicateKey', error: expect.stringMatching(new RegExp(`^Duplicate key error: E11000 duplicate key error collection: ${database}\\.cache_metadata index: ${index} dup key: \\{ ${key}`)) },
    });
    expect(await call('insertOne', { document: entry('audio:aaaaaaaaaaa', 'bbbbbbbbbbb') })).toMatchObject(duplicate('_id_', '_id: "audio:aaaaaaaaaaa"'));
    expect(await call('insertOne', { document: entry('other-id', 'aaaaaaaaaaa') })).toMatchObject(duplicate('video_id_1_type_1', 'video_id: "aaaaaaaaaaa", type: "audio"'));
    // An upsert whose filter misses inserts, and its insert meets the index like any other.
    expect(await call('updateOne', { filter: { _id: 'audio:aaaaaaaaaaa', status: 'ready' }, update: { $set: { status: 'pending' } }, upsert: true })).toMatchObject(duplicate('_id_', '_id: "audio:aaaaaaaaaaa"'));
    // An update that would make two documents collide changes nothing.
    expect((await call('insertOne', { document: entry('audio:ccccccccccc', 'ccccccccccc') })).status).toBe(200);
    expect(await call('updateOne', { filter: { _id: 'audio:ccccccccccc' }, update: { $set: { video_id: 'aaaaaaaaaaa' } } })).toMatchObject(duplicate('video_id_1_type_1', 'video_id: "aaaaaaaaaaa"'));
    // insertMany is ordered: what came before the duplicate stays, nothing after it is written.
    const many = await call('insertMany', { documents: [entry('audio:ddddddddddd', 'ddddddddddd'), entry('audio:aaaaaaaaaaa', 'eeeeeeeeeee'), entry('audio:fffffffffff', 'fffffffffff')] });
    expect(many).toMatchObject(duplicate('_id_', '_id: "audio:aaaaaaaaaaa"'));
    const dump = await control('dump', { database, collection: 'cache_metadata' }, 'GET');
    expect(dump.documents.map((doc: { _id: string; video_id: string }) => `${doc._id}=${doc.video_id}`).sort()).toEqual([
      'audio:aaaaaaaaaaa=aaaaaaaaaaa',
      'audio:ccccccccccc=ccccccccccc',
      'audio:ddddddddddd=ddddddddddd',
    ]);
  });

  it('stores dates as BSON dates through EJSON', async () => {
    const { store, database } = harness();
    await store.createKey({ ...newKey('dates'), created_at: new Date(Date.UTC(2030, 0, 1)) });
    const dump = await control('dump', { database, collection: 'api_keys' }, 'GET');
    expect(dump.documents[0]).toMatchObject({ created_at: { $date: { $numberLong: String(Date.UTC(2030, 0, 1)) } }, expires_at: null });
  });

  it('times out, writes nothing, and keeps the key out of the message', async () => {
    const { store, database, lines } = harness({ MONGO_TIMEOUT_MS: '300' });
    await fault(database, 'timeout', { actions: ['insertOne'] });
    const error = await rejection(store.createKey(newKey('slow')));
    expect(error.code).toBe('store.unavailable');
    expect(error.message).toMatch(/did not answer insertOne on api_keys within 300 ms/);
    await fault(database, 'none');
    expect(await store.getKeyByHash(hashOf('slow'))).toBeNull();
    expect(JSON.stringify([error.message, error.logDetails, lines])).not.toContain(testEnv.MONGO_TEST_API_KEY);
  });

  it('turns a 500 into store.unavailable and inserts no log', async () => {
    const { store, database } = harness();
    await fault(database, '500', { actions: ['insertMany'] });
    const batch = [1, 2, 3].map((n) => ({
      request_id: `req-${n}`,
      time: new Date(),
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
    }));
    expect((await rejection(store.appendLogs(batch))).code).toBe('store.unavailable');
    await fault(database, 'none');
    expect((await store.listLogs({ page: 1, pageSize: 10 })).total).toBe(0);
    // The retried batch lands whole, once.
    expect(await store.appendLogs(batch)).toMatchObject({ inserted: 3 });
    expect(await store.appendLogs(batch)).toEqual({ inserted: 0, insertedIds: [] });
  });

  it('turns garbage into store.invalid_answer and leaves no half-made claim', async () => {
    const { store, database } = harness();
    await fault(database, 'garbage', { actions: ['updateOne'] });
    const error = await rejection(store.claimCacheEntry('garbage001', 'audio', { now: new Date(), retryAfterMs: 1000 }));
    expect(error.code).toBe('store.invalid_answer');
    await fault(database, 'bad_shape', { actions: ['findOne'] });
    expect((await rejection(store.getCacheEntry('garbage001', 'audio'))).code).toBe('store.invalid_answer');
    await fault(database, 'none');
    expect(await store.getCacheEntry('garbage001', 'audio')).toBeNull();
  });

  it('retries a read once, and never a write', async () => {
    const { store, database } = harness();
    const key = await store.createKey(newKey('retry'));
    await fault(database, '500', { actions: ['findOne'], times: 1 });
    expect(await store.getKeyById(key.id)).toEqual(key);
    expect(await callsOf(database, 'findOne')).toBe(2);

    await fault(database, '500', { actions: ['findOne'], times: 2 });
    expect((await rejection(store.getKeyById(key.id))).code).toBe('store.unavailable');
    expect(await callsOf(database, 'findOne')).toBe(4);

    await fault(database, '500', { actions: ['insertOne'], times: 1 });
    expect((await rejection(store.createKey(newKey('once')))).code).toBe('store.unavailable');
    expect(await callsOf(database, 'insertOne')).toBe(2);
  });

  it('reports a wrong API key as store.rejected without echoing it', async () => {
    const { store } = harness({ MONGO_DATA_API_KEY: 'wrong-secret-api-key-123456' });
    const error = await rejection(store.getKeyById('whatever'));
    expect(error.code).toBe('store.rejected');
    expect(error.message).toBe('The metadata store rejected findOne on api_keys (HTTP 401, InvalidSession).');
    expect(JSON.stringify([error.message, error.logDetails])).not.toContain('wrong-secret-api-key-123456');
    expect(await store.ping()).toMatchObject({ ok: false, backend: 'mongo', error: 'store.rejected' });
  });

  it('speaks Bearer auth when MONGO_AUTH=bearer', async () => {
    const { store } = harness({ MONGO_AUTH: 'bearer' });
    expect(await store.ping()).toMatchObject({ ok: true, backend: 'mongo' });
  });

  it('keeps a key hash out of a duplicate-key error', async () => {
    const { store } = harness();
    await store.createKey(newKey('dup'));
    const error = await rejection(store.createKey({ ...newKey('dup'), id: 'other-id' }));
    expect(error.code).toBe('store.conflict');
    expect(JSON.stringify([error.message, error.logDetails])).not.toContain(hashOf('dup'));
  });

  it('rejects a malformed stored document with a code', async () => {
    const { store, database } = harness();
    const response = await fetch(`${testEnv.MONGO_TEST_URL}/action/insertOne`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': testEnv.MONGO_TEST_API_KEY },
      body: JSON.stringify({
        dataSource: 'Cluster0',
        database,
        collection: 'api_keys',
        document: { _id: 'broken', id: 'broken', key_hash: hashOf('broken'), name: 'x', tier: 'superuser' },
      }),
    });
    expect(response.status).toBe(200);
    const error = await rejection(store.getKeyById('broken'));
    expect(error.code).toBe('store.invalid_answer');
    expect(error.message).toContain('tier');
  });
});
