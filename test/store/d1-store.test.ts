import { applyD1Migrations, type D1Migration } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createD1Store } from '../../workers/core/src/store/d1-store';
import { describeStoreContract } from './store.contract';

const testEnv = env as unknown as { DB: D1Database; TEST_MIGRATIONS: D1Migration[] };

describeStoreContract('D1', async () => {
  await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
  await testEnv.DB.batch(
    ['api_keys', 'api_logs', 'cache_metadata'].map((table) => testEnv.DB.prepare(`DELETE FROM ${table}`)),
  );
  return createD1Store(testEnv.DB);
});

describe('D1 health check', () => {
  it('reports the database size, which the request log grows (a full D1 refuses every write)', async () => {
    await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
    const store = createD1Store(testEnv.DB);
    const before = await store.ping();
    expect(before).toMatchObject({ ok: true, backend: 'd1' });
    expect(before.size_bytes).toBeGreaterThan(0);
    const time = Date.now();
    await store.appendLogs(Array.from({ length: 2000 }, (_, index) => ({
      request_id: `size-${index}`, time: new Date(time), endpoint: '/v1/resolve', method: 'GET', key_id: null, client_ip: '203.0.113.1',
      status: 200, error_code: null, duration_ms: 5, query: 'M4gD1WSo5mA', colo: null, cache: null,
    })));
    expect((await store.ping()).size_bytes).toBeGreaterThan(before.size_bytes! + 100_000);
  });
});
