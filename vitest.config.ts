import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const TEST_SIGNING_KEY = 'test-signing-key-0123456789abcdef';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          STREAM_SIGNING_KEY: TEST_SIGNING_KEY,
          UPSTREAM_ORIGINS: JSON.stringify(inject<Record<string, string>>('upstreamOrigins')),
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          TEST_UPSTREAM: inject<string>('upstreamUrl'),
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/global-setup.ts'],
    include: ['workers/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
