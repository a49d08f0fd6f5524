import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is its own Vite project rooted here, so `npm run build` from the
// repository root and `vite build` inside dashboard/ produce the same dashboard/dist.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the same build works at a Pages domain root or under a sub-path.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Chart.js and Bootstrap are large; one vendor chunk keeps the app chunk small and cacheable.
    rolldownOptions: {
      // The dashboard, and the API reference page built from the OpenAPI document.
      input: { main: `${root}index.html`, reference: `${root}api-reference.html` },
      output: {
        codeSplitting: {
          groups: [{ name: 'vendor', test: /node_modules/ }],
        },
      },
    },
  },
  server: { host: '127.0.0.1', port: Number(process.env.DASHBOARD_PORT ?? 8788), strictPort: true },
  preview: { host: '127.0.0.1', port: Number(process.env.DASHBOARD_PORT ?? 8788), strictPort: true },
});
