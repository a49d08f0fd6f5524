// Fails when a Worker imports another Worker's folder: workers/api and workers/consumer
// may import workers/core, and core imports neither (run by `npm test`).
import fs from 'node:fs';
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

if (problems.length > 0) {
  console.error(`Layout check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('Layout check: no Worker imports another Worker\'s folder.');
