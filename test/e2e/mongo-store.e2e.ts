import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoDataApi } from '../servers/mongo-data-api';
import { freePort } from './support/api-server';
import { startService } from './support/npm-start';

/** `npm start` with METADATA_STORE=mongo keeps keys and logs in MongoDB through the Data API. */
const ADMIN = 'mongo-flow-admin-key-0123456789';
let mongo: Awaited<ReturnType<typeof startMongoDataApi>>;
let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
  mongo = await startMongoDataApi();
  service = await startService(await freePort(), {
    METADATA_STORE: 'mongo',
    MONGO_DATA_API_URL: mongo.url,
    MONGO_DATA_API_KEY: mongo.apiKey,
    MONGO_DATABASE: 'e2e_music',
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
  ((await (await fetch(`${new URL(mongo.url).origin}/__control/dump?database=e2e_music&collection=${collection}`)).json()) as { documents: any[] }).documents;

describe('npm start on the Mongo Data API', () => {
  it('stores keys and request logs in Mongo, and never the key itself', async () => {
    const created = await fetch(`${service.url}/admin/keys`, {
      method: 'POST',
      headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'mongo bot' }),
    });
    expect(created.status).toBe(201);
    const { key, record } = (await created.json()) as { key: string; record: { id: string } };
    const keys = await dump('api_keys');
    expect(keys.map((doc) => doc.name)).toEqual(['mongo bot']);
    expect(JSON.stringify(keys)).not.toContain(key);

    const refused = await fetch(`${service.url}/v1/resolve?query=`, { headers: { 'X-API-Key': key } });
    expect(refused.status).toBe(400);
    let logs: any[] = [];
    for (let attempt = 0; attempt < 60 && logs.length === 0; attempt++) {
      await new Promise((done) => setTimeout(done, 500));
      logs = (await dump('api_logs')).filter((doc) => doc.key_id === record.id);
    }
    expect(logs).toHaveLength(1);
    // The dump is canonical EJSON: numbers come as {$numberInt}, dates as {$date}.
    expect(logs[0]).toMatchObject({ endpoint: '/v1/resolve', status: { $numberInt: '400' }, error_code: 'query.missing', time: { $date: expect.anything() } });
    const listed = (await (await fetch(`${service.url}/admin/keys`, { headers: { 'X-API-Key': ADMIN } })).json()) as { total: number };
    expect(listed.total).toBe(1);
    expect(service.output()).not.toContain(mongo.apiKey);
  });
});
