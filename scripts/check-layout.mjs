// Fails when a Worker imports another Worker's folder (workers/api and workers/consumer
// may import workers/core, and core imports neither), or when the API Worker's startup
// reaches a package of STARTUP_FORBIDDEN below (run by `npm test`).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const WORKERS = path.resolve('workers');
const allowed = { api: ['api', 'core'], consumer: ['consumer', 'core'], core: ['core'] };
const importPattern = /(?:^|[\s;])(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '.wrangler') yield* sourceFiles(full);
    } else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) yield full;
  }
}

const problems = [];
for (const owner of Object.keys(allowed)) {
  const ownerDir = path.join(WORKERS, owner);
  if (!fs.existsSync(ownerDir)) continue;
  for (const file of sourceFiles(ownerDir)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2];
      if (!specifier.startsWith('.')) continue;
      const target = path.relative(WORKERS, path.resolve(path.dirname(file), specifier));
      const targetWorker = target.split(path.sep)[0];
      if (target.startsWith('..') || !(targetWorker in allowed)) continue;
      if (!allowed[owner].includes(targetWorker)) {
        problems.push(`${path.relative(process.cwd(), file)} imports ${specifier} (workers/${owner} may import only ${allowed[owner].map((w) => `workers/${w}`).join(', ')})`);
      }
    }
  }
}

// The API Worker's cold start (issues 14 and 22): these load behind a dynamic import() at their
// first use only. A static (value) import path from the entry to one of them would evaluate it in
// every cold isolate, cache hits and /health included.
const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const STARTUP_FORBIDDEN = [
  { what: 'youtubei.js and QuickJS', matches: (specifier) => /^(youtubei\.js|quickjs-emscripten|@jitl\/quickjs)/.test(specifier), instead: 'load it through core/src/youtube/engine.ts' },
  { what: 'the MongoDB driver', matches: (specifier) => /^(mongodb|bson|@mongodb-js\/)/.test(specifier), instead: 'load it through core/src/store/mongodb-connection.ts' },
  // workerd evaluates its Node modules (node:http, node:tls, …) when a module imports them: tens of ms.
  { what: 'Node built-ins', matches: (specifier) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]), instead: 'import() it where it is used' },
];
// `import x from '…'`, `export … from '…'` and a bare `import '…'` (its side effects load too).
const staticImport = /(?:^|[\s;])(import|export)\s+(?:(type\s+)?([^'";]*?)\bfrom\s*)?['"]([^'"]+)['"]/g;
function resolveSource(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return null;
}
const apiEntry = path.join(WORKERS, 'api/src/index.ts');
if (fs.existsSync(apiEntry)) {
  const via = new Map([[apiEntry, null]]);
  const queue = [apiEntry];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const match of fs.readFileSync(file, 'utf8').matchAll(staticImport)) {
      const [, , typeOnly, clause, specifier] = match;
      const onlyTypes = clause !== undefined && /^\{\s*(type\s+[\w$]+\s*(as\s+[\w$]+\s*)?,?\s*)*\}$/.test(clause.trim());
      if (typeOnly || onlyTypes) continue;
      const forbidden = STARTUP_FORBIDDEN.find((entry) => entry.matches(specifier));
      if (forbidden) {
        const chain = [];
        for (let current = file; current; current = via.get(current)) chain.unshift(path.relative(process.cwd(), current));
        problems.push(`${specifier} is imported at the API Worker's startup: ${chain.join(' → ')} (${forbidden.instead})`);
        continue;
      }
      if (!specifier.startsWith('.')) continue;
      const target = resolveSource(file, specifier);
      if (target && !via.has(target)) {
        via.set(target, file);
        queue.push(target);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Layout check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Layout check: no Worker imports another Worker's folder; ${STARTUP_FORBIDDEN.map((entry) => entry.what).join(', ')} stay out of the API Worker's startup.`);
