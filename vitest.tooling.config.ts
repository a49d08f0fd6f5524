import { defineConfig } from 'vitest/config';

// The repository's own tooling, in plain Node: the wrangler configs' environments,
// the CI and deploy workflows, and the deploy, setup and layout scripts.
export default defineConfig({
  // The inlined parser ships source maps without sources; vite would warn for each file.
  logLevel: 'error',
  test: {
    include: ['test/tooling/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    fileParallelism: false,
    // The workflow parser imports its JSON schema without an import attribute,
    // which Node refuses; vite's own transform loads it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
