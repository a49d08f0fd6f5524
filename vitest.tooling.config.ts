import { defineConfig } from 'vitest/config';

// The repository's own tooling, in plain Node: the wrangler configs' environments,
// the CI and deploy workflows, and the deploy, setup and layout scripts.
export default defineConfig({
  test: {
    include: ['test/tooling/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    fileParallelism: false,
  },
});
