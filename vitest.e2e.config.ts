import { defineConfig } from 'vitest/config';
import { workersOnlyModules } from './scripts/support/workers-only-modules.mjs';

// The dashboard's end-to-end test: plain Node (not the Workers pool) driving a
// real browser against `wrangler dev` (or, with E2E_MOCK=1, the in-memory mock API).
export default defineConfig({
  // test/e2e/openapi.e2e.ts reads the API Worker's routes in Node.
  plugins: [workersOnlyModules()],
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    // The compiled-wasm import lives under node_modules; inlined, the stand-in above replaces it.
    server: { deps: { inline: [/\.wasm$/] } },
  },
});
