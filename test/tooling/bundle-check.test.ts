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
const config = 'name = "api"\nmain = "src/index.js"\ncompatibility_date = "2026-11-01"\n';

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
});
