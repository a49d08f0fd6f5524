import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { bundleMongodbDriver } from './test/support/mongodb-driver-bundle.mjs';

const TEST_SIGNING_KEY = 'test-signing-key-0123456789abcdef';

/**
 * The Workers-runtime tests, in one of two worlds: the Cache API working (`npm start`, a custom
 * domain), or a no-op as on a workers.dev address (`off`: miniflare's cacheAPI false and the
 * service's CACHE_API=off; vitest.cache-off.config.ts).
 */
export async function workersTestConfig({
  cacheApi = 'on',
  include = ['workers/**/*.test.ts', 'test/**/*.test.ts'],
  quotaFlush = 'test',
}: { cacheApi?: 'on' | 'off'; include?: string[]; quotaFlush?: 'test' | 'default' } = {}) {
  return defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        ...(cacheApi === 'off' ? { cacheAPI: false } : {}),
        bindings: {
          ...(cacheApi === 'off' ? { CACHE_API: 'off' } : {}),
          STREAM_SIGNING_KEY: TEST_SIGNING_KEY,
          // The QuotaCounter writes its day counts every 50 ms here (default 10 s), so tests that evict it after 200 ms see them kept;
          // the bench keeps the default (vitest.bench-worker.config.ts).
          ...(quotaFlush === 'test' ? { QUOTA_FLUSH_MS: '50' } : {}),
          ADMIN_API_KEY: 'test-admin-key-0123456789abcdef',
          DASHBOARD_ORIGIN: 'http://dashboard.test',
          UPSTREAM_ORIGINS: JSON.stringify(inject<Record<string, string>>('upstreamOrigins')),
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          TEST_UPSTREAM: inject<string>('upstreamUrl'),
          // Not PO_TOKEN_PROVIDER_URL itself: a test that wants MWEB / WEB hands it to the app's env.
          TEST_PO_TOKEN_PROVIDER: inject<string>('poTokenProviderUrl'),
          RELAY_URL: inject<string>('relayUrl'),
          RELAY_SECRET_FOR_TESTS: inject<string>('relaySecret'),
          TEST_TELEGRAM: inject<string>('telegramUrl'),
          TEST_TELEGRAM_LOCAL: inject<string>('telegramLocalUrl'),
          // Small chunks so that streams cross many chunk boundaries in tests.
          STREAM_CHUNK_BYTES: String(1024 * 1024),
          FALLBACK_INSTANCES: 'invidious:https://invidious.test,piped:https://piped.test',
          // The D1 schema, applied in tests with applyD1Migrations(env.DB, env.TEST_MIGRATIONS).
          TEST_MIGRATIONS: await readD1Migrations('./migrations'),
          MONGO_TEST_URL: inject<string>('mongoUrl'),
          MONGO_TEST_API_KEY: inject<string>('mongoApiKey'),
          MONGODB_TEST_URI: inject<string>('mongodbUri'),
          MONGODB_TEST_WRONG_PASSWORD_URI: inject<string>('mongodbWrongPasswordUri'),
          MONGODB_TEST_CONTROL: inject<string>('mongodbControlUrl'),
        },
        // The cache consumer Worker is not in this runtime: this stand-in says caching is off, and
        // test/telegram-cache*.test.ts hand the API an env whose TELEGRAM_CACHE calls the consumer's handlers.
        serviceBindings: {
          TELEGRAM_CACHE: () => Response.json({ enabled: false, local_api: false, max_file_bytes: null, channel_public: null }),
        },
      },
    })),
  ],
  // The driver as one module, bundled as wrangler bundles it (test/support/mongodb-driver-bundle.mjs says why).
  resolve: { alias: [{ find: /^mongodb$/, replacement: await bundleMongodbDriver() }] },
  test: {
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/support/setup-d1.ts'],
    include,
    // Node-side checks of the repository's tooling (vitest.tooling.config.ts).
    exclude: ['test/tooling/**', '**/node_modules/**'],
    testTimeout: 30_000,
  },
});
}

export default await workersTestConfig();
