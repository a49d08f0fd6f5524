import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support';

/** Runs scripts/bundle-check.mjs (real wrangler builds) over a made-up one-Worker project. */
function bundleCheck(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-check-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return spawnSync(process.execPath, [join(ROOT, 'scripts/bundle-check.mjs')], { cwd: dir, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
}

// A dependency loaded behind import() that require()s a Node built-in, as the MongoDB driver does.
const worker = {
  'src/index.js': "export default { async fetch() { const { gzip } = await import('./driver.cjs'); return new Response(String(typeof gzip)); } };\n",
  'src/driver.cjs': "const zlib = require('zlib');\nmodule.exports = { gzip: zlib.gzipSync };\n",
};
const config = 'name = "api"\nmain = "src/index.js"\ncompatibility_date = "2026-11-01"\nkeep_names = false\n';

describe('scripts/bundle-check.mjs', () => {
  it('fails when a bundled require() of a Node built-in becomes a static import at the top of the bundle', () => {
    const result = bundleCheck({ ...worker, 'wrangler.toml': config });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('worker api: its bundle imports zlib at startup');
  });

  it('passes when the wrangler config aliases that built-in to a shim loaded on first require', () => {
    const result = bundleCheck({
      ...worker,
      'wrangler.toml': `${config}\n[alias]\n"zlib" = "./src/zlib.cjs"\n`,
      'src/zlib.cjs': "module.exports = process.getBuiltinModule('node:zlib');\n",
    });
    expect(result.stdout).toContain('worker api:');
    expect(result.status).toBe(0);
  });

  // Two modules with a function of the same name: esbuild renames one, and with keep_names (wrangler's
  // default) sets its name back at run time, on every request that creates the closure.
  const renamed = {
    'src/index.js': "import { answer as other } from './other.js';\nexport default { async fetch(request) { const answer = () => new Response(request.url); return other() ?? answer(); } };\n",
    'src/other.js': "export function answer() { const answer = () => null; return answer(); }\n",
  };

  it('fails when the bundle names functions at run time (keep_names left on)', () => {
    const result = bundleCheck({ ...renamed, 'wrangler.toml': config.replace('keep_names = false\n', '') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('worker api: its bundle renames functions at run time');
  });

  it('passes the same Worker with keep_names = false', () => {
    const result = bundleCheck({ ...renamed, 'wrangler.toml': config });
    expect(result.stderr).not.toContain('renames functions');
    expect(result.status).toBe(0);
  });
});
