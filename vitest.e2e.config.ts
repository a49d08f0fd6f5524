import { defineConfig } from 'vitest/config';

// The dashboard's end-to-end test: plain Node (not the Workers pool) driving a
// real browser against `wrangler dev` (or, with E2E_MOCK=1, the in-memory mock API).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
