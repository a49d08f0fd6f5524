import { workersTestConfig } from './vitest.config';

// The second world (issue 19 §3): the suites of resolve, the ciphered clients, client health and
// keys, with the Cache API a no-op as on a workers.dev address (`npm run test:cache-off`).
export default await workersTestConfig({
  cacheApi: 'off',
  include: [
    'test/resolve.test.ts',
    'test/client-chain.test.ts',
    'test/player-functions.test.ts',
    'test/client-health.test.ts',
    'test/keys.test.ts',
    'test/cache-api.test.ts',
    'test/hls-manifest-n.test.ts',
  ],
});
