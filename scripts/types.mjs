// `npm run types`: writes each Worker's Env bindings from its wrangler.toml with
// `wrangler types` (the base interface, plus one per env); `--check` fails when
// a committed file no longer matches its config (run by `npm test` and CI).
import { spawnSync } from 'node:child_process';

export const WORKER_TYPES = [
  { config: 'wrangler.toml', out: 'workers/api/worker-configuration.d.ts', name: 'ApiBindings' },
  { config: 'workers/consumer/wrangler.toml', out: 'workers/consumer/worker-configuration.d.ts', name: 'ConsumerBindings' },
];

// Runtime types come from @cloudflare/workers-types; settings are parsed by zod, so
// vars are plain strings; both Workers share one TypeScript program, so neither
// declares itself the program's main module.
const FLAGS = ['--include-runtime=false', '--strict-vars=false', '--include-main-module=false'];

const check = process.argv.includes('--check');
let failed = false;
for (const worker of WORKER_TYPES) {
  const args = ['wrangler', 'types', '-c', worker.config, ...FLAGS, `--env-interface=${worker.name}`, worker.out, ...(check ? ['--check'] : [])];
  const result = spawnSync('npx', args, { encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  if (result.status !== 0) {
    failed = true;
    console.error(`${worker.out}: ${check ? `out of date with ${worker.config}; run \`npm run types\` and commit it` : 'wrangler types failed'}\n${result.stdout}${result.stderr}`);
  } else if (!check) console.log(`${worker.out}: written from ${worker.config}`);
}
if (check && !failed) console.log('Types check: every worker-configuration.d.ts matches its wrangler.toml.');
process.exit(failed ? 1 : 0);
