import { applyD1Migrations, type D1Migration } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
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
