import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoWireServer, type WireServer } from '../servers/mongo-wire';
import { freePort } from './support/api-server';
import { startService } from './support/npm-start';

/**
 * `npm start` with METADATA_STORE=mongodb: both Workers reach a MongoDB
 * wire-protocol server through the official driver in their
 * MongoStoreConnection objects, with nothing but MONGODB_URI and MONGO_DATABASE set.
 */
const ADMIN = 'mongodb-flow-admin-key-0123456789';
let mongo: WireServer;
let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
  mongo = await startMongoWireServer();
  service = await startService(await freePort(), {
    METADATA_STORE: 'mongodb',
    MONGODB_URI: mongo.uri,
    MONGO_DATABASE: 'e2e_driver',
    ADMIN_API_KEY: ADMIN,
    RATE_LIMIT_PER_MINUTE: '0',
    KEY_RATE_LIMIT_PER_MINUTE: '0',
  });
}, 240_000);

afterAll(async () => {
  service?.stop();
  await mongo?.close();
});

const dump = async (collection: string) =>
  ((await (await fetch(`${mongo.controlUrl}/__control/dump?database=e2e_driver&collection=${collection}`)).json()) as { documents: any[] }).documents;
const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${service.url}${path}`, { ...init, headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });

describe('npm start on MongoDB through the official driver', () => {
  it('keeps keys and request logs in MongoDB, counts the quota, and never shows the connection string', async () => {
    const created = await admin('/admin/keys', { method: 'POST', body: JSON.stringify({ name: 'driver bot', daily_limit: 2 }) });
    expect(created.status).toBe(201);
    const { key, record } = (await created.json()) as { key: string; record: { id: string } };
    const keys = await dump('api_keys');
    expect(keys.map((doc) => doc.name)).toEqual(['driver bot']);
    expect(JSON.stringify(keys)).not.toContain(key);

    const statuses: number[] = [];
    for (let n = 0; n < 3; n++) statuses.push((await fetch(`${service.url}/v1/resolve?query=`, { headers: { 'X-API-Key': key } })).status);
    // Two within the daily limit of 2 (refused as bad input), the third over it.
    expect(statuses).toEqual([400, 400, 429]);

    let logs: any[] = [];
    for (let attempt = 0; attempt < 60 && logs.length < 3; attempt++) {
      await new Promise((done) => setTimeout(done, 500));
      logs = (await dump('api_logs')).filter((doc) => doc.key_id === record.id);
    }
    expect(logs).toHaveLength(3);
    expect(logs[0]).toMatchObject({ endpoint: '/v1/resolve', time: { $date: expect.anything() } });

    const listed = (await (await admin('/admin/keys')).json()) as { total: number };
    expect(listed.total).toBe(1);

    const health = (await (await admin('/health?deep=true')).json()) as { store: { ok: boolean; backend: string; latency_ms: number } };
    expect(health.store).toMatchObject({ ok: true, backend: 'mongodb' });
    expect(service.output()).not.toContain(mongo.password);
  });
});
