// Bundles every Worker with `wrangler deploy --dry-run`, prints each bundle's
// gzip size and fails above the Workers Free-plan limit (3 MiB gzip), when a
// bundle imports a Node built-in at its top (see startupBuiltins below), or when
// it renames functions at run time (see RUNTIME_NAMING below).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT = 3 * 1024 * 1024;
const workers = [{ name: 'api', config: 'wrangler.toml' }];
for (const dir of existsSync('workers') ? readdirSync('workers') : []) {
  const config = join('workers', dir, 'wrangler.toml');
  if (existsSync(config)) workers.push({ name: dir, config });
}

// A static import of a Node built-in is evaluated in every cold isolate, before any request:
// workerd's node:http, node:tls, node:zlib, … cost tens of ms of startup (issue 22). esbuild
// turns a bundled package's require('zlib') into such an import even when the package itself
// loads behind import(); the wrangler config's [alias] hands those requires a lazy shim.
const NODE_BUILTINS = new Set(builtinModules);
const staticImport = /^import\s+(?:[^'";]*?\s+from\s+)?["']([^"']+)["'];?$/gm;
function startupBuiltins(code) {
  return [...code.matchAll(staticImport)].map((match) => match[1]).filter((specifier) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier));
}

// esbuild's keep_names (wrangler's default) calls `__name(fn, "fn")` for each function it
// renamed, also every time a request creates such a closure: a defineProperty per closure on
// the hot path (issue 22). `keep_names = false` in the Worker's wrangler config leaves it out.
const RUNTIME_NAMING = /\b__name\(/;

let failed = false;
for (const worker of workers) {
  const outdir = mkdtempSync(join(tmpdir(), `bundle-${worker.name}-`));
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--config', worker.config, '--outdir', outdir], { stdio: ['ignore', 'ignore', 'inherit'] });
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(outdir, { recursive: true })) {
    const path = join(outdir, String(file));
    if (!statSync(path).isFile() || path.endsWith('.map') || path.endsWith('README.md')) continue;
    const bytes = readFileSync(path);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
    // Decoded once: a bundle is megabytes, and both checks read it.
    const code = path.endsWith('.js') ? bytes.toString('utf8') : null;
    const builtins = code === null ? [] : startupBuiltins(code);
    if (builtins.length > 0) {
      console.error(`worker ${worker.name}: its bundle imports ${builtins.join(', ')} at startup; a dependency's require() of one belongs in [alias] of ${worker.config}, our own code's import in an import() where it is used`);
      failed = true;
    }
    if (code !== null && RUNTIME_NAMING.test(code)) {
      console.error(`worker ${worker.name}: its bundle renames functions at run time (esbuild's __name); set keep_names = false in ${worker.config}`);
      failed = true;
    }
  }
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const verdict = gzip > LIMIT ? 'OVER the 3 MiB limit' : 'ok';
  console.log(`worker ${worker.name}: ${kib(raw)} raw, ${kib(gzip)} gzip — ${verdict}`);
  if (gzip > LIMIT) failed = true;
}
process.exit(failed ? 1 : 0);
