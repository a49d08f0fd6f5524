import { defineConfig } from 'vitest/config';

// `npm run bench`: measurements in Node against real `npm start` instances. Not part of `npm test`.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-run.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
