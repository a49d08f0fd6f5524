// `npm run deploy -- --env staging|production [--dry-run] [--api-url URL]`: the
// steps of .github/workflows/deploy.yml, for operators who deploy from a laptop
// (after `npm run wrangler -- login`). In order: the Worker secrets exist; D1
// migrations (--remote); the consumer (the API's service binding needs it);
// the API; the dashboard, built against that API's URL, to Pages; a smoke test.
// --dry-run bundles both Workers (`wrangler deploy --dry-run`) and builds the
// dashboard, prints the rest, and touches nothing remote. --step NAME runs one
// step (deploy.yml runs `secrets` and `smoke` so, the rest with wrangler-action).
// --domain api.example.com (or API_DOMAIN, or a custom-domain route in the env's
// wrangler.toml) puts the API on that custom domain, where the Cache API works;
// without one it stays on workers.dev and the deploy says what that costs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiDomain, configuredDomains, dashboardProject, parseEnvArgument, projectToolsEnv, readWorkerConfig, WITHOUT_DOMAIN, WORKERS } from './cloudflare/environments.mjs';
import { smokeTest } from './cloudflare/smoke.mjs';
import { SETTINGS } from './settings.mjs';

const argv = process.argv.slice(2);
const optionValue = (name) => {
  const index = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index < 0) return undefined;
  return argv[index].includes('=') ? argv[index].slice(name.length + 1) : argv[index + 1];
};

let env;
try {
  env = parseEnvArgument(argv);
} catch (error) {
  console.error(`${error.message}\nusage: npm run deploy -- --env staging|production [--dry-run] [--api-url https://…] [--domain api.example.com] [--step NAME]`);
  process.exit(2);
}
let domain;
try {
  domain = apiDomain(argv, readWorkerConfig(WORKERS[1], env));
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
const dryRun = argv.includes('--dry-run');
const workDir = mkdtempSync(join(tmpdir(), `deploy-${env}-`));
const childEnv = projectToolsEnv();
const [consumer, api] = WORKERS;

const steps = [
  { name: 'secrets', run: checkSecrets },
  { name: 'migrations', run: applyMigrations },
  { name: 'consumer', run: () => deployWorker(consumer) },
  { name: 'api', run: () => deployWorker(api) },
  { name: 'dashboard', run: deployDashboard },
  { name: 'smoke', run: smoke },
];

const only = optionValue('--step');
if (only && !steps.some((step) => step.name === only)) {
  console.error(`--step must be one of ${steps.map((step) => step.name).join(', ')}`);
  process.exit(2);
}
const state = { apiUrl: optionValue('--api-url') || process.env.API_URL || (domain ? `https://${domain}` : undefined) };
for (const step of steps.filter((candidate) => !only || candidate.name === only)) {
  console.log(`\n==> ${step.name} (env ${env}${dryRun ? ', dry run' : ''})`);
  try {
    await step.run();
  } catch (error) {
    console.error(`deploy ${env}: step "${step.name}" failed: ${error.message}`);
    process.exit(1);
  }
}
if (!only) console.log(`\ndeploy ${env}: ${dryRun ? 'dry run done, nothing was uploaded' : `done; the API is at ${state.apiUrl}`}`);

function wrangler(args, options = {}) {
  const command = ['wrangler', ...args];
  if (options.skipInDryRun && dryRun) {
    console.log(`[dry run] would run: ${command.join(' ')}`);
    return { stdout: '' };
  }
  const result = spawnSync(command[0], command.slice(1), {
    cwd: options.cwd,
    env: { ...childEnv, ...options.env },
    stdio: options.capture ? ['inherit', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.error) throw new Error(`${command.join(' ')}: ${result.error.message}`);
  if (result.status !== 0 && !options.allowFailure) throw new Error(`${command.join(' ')} exited with ${result.status}`);
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

/** Each Worker's `secrets.required` (wrangler.toml) must be set in this env before anything changes. */
function checkSecrets() {
  for (const worker of WORKERS) {
    const required = readWorkerConfig(worker, env).secrets?.required ?? [];
    // Before its first deploy a Worker has no secrets to list: fine for one that needs none.
    const { ok, stdout } = wrangler(['secret', 'list', '-c', worker.config, '--env', env, '--format', 'json'], { capture: true, skipInDryRun: true, allowFailure: true });
    if (dryRun) continue;
    if (!ok && required.length === 0) {
      console.log(`${worker.key}: not deployed yet, or its secrets could not be listed; it requires none`);
      continue;
    }
    if (!ok) throw new Error(`could not list the ${worker.key} Worker's secrets (is it set up? \`npm run setup:cloudflare -- --env ${env}\`)`);
    const present = new Set(JSON.parse(stdout).map((secret) => secret.name));
    const missing = required.filter((name) => !present.has(name));
    if (missing.length > 0) {
      throw new Error(
        `${worker.key} Worker lacks secret(s) ${missing.join(', ')}: set each with ` +
          `\`npm run wrangler -- secret put NAME -c ${worker.config} --env ${env}\` (or run \`npm run setup:cloudflare -- --env ${env}\`)`,
      );
    }
    console.log(`${worker.key}: secrets ${required.length > 0 ? required.join(', ') : '(none required)'} present`);
    if (worker.key === 'consumer' && !present.has('TELEGRAM_BOT_TOKEN')) console.log('consumer: no TELEGRAM_BOT_TOKEN, so the Telegram cache stays off');
  }
}

function applyMigrations() {
  for (const database of readWorkerConfig(api, env).d1_databases) {
    wrangler(['d1', 'migrations', 'apply', database.binding, '--remote', '-c', api.config, '--env', env], { skipInDryRun: true, env: { CI: 'true' } });
  }
}

function deployWorker(worker) {
  const outputFile = join(workDir, `${worker.key}.ndjson`);
  const args = ['deploy', '-c', worker.config, '--env', env];
  // A domain the config does not route yet: wrangler makes it the API's custom domain.
  if (worker.key === 'api' && domain && !configuredDomains(readWorkerConfig(worker, env)).includes(domain)) args.push('--domain', domain);
  if (dryRun) args.push('--dry-run', '--outdir', join(workDir, `${worker.key}-bundle`));
  wrangler(args, { env: { WRANGLER_OUTPUT_FILE_PATH: outputFile } });
  if (worker.key === 'api' && !dryRun && !state.apiUrl) {
    state.apiUrl = deployedUrl(outputFile);
    if (!state.apiUrl) throw new Error('wrangler printed no URL for the API Worker (no workers.dev and no route?); pass --api-url');
  }
  if (worker.key === 'api') {
    console.log(`api: ${state.apiUrl ?? '(its workers.dev URL, known after the upload)'}${domain ? ` (custom domain ${domain})` : ''}`);
    if (!domain) warn(WITHOUT_DOMAIN.replace('<env>', env));
  }
}

/** In GitHub Actions a warning is an annotation on the run. */
function warn(message) {
  console.log(`${process.env.GITHUB_ACTIONS === 'true' ? '::warning::' : 'warning: '}${message}`);
}

/** The first URL wrangler's machine-readable output names for the deploy. */
function deployedUrl(outputFile) {
  if (!existsSync(outputFile)) return undefined;
  for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line);
    if (entry.type === 'deploy') return entry.targets?.find((target) => /^https?:\/\//.test(target));
  }
  return undefined;
}

function deployDashboard() {
  const apiBase = state.apiUrl ?? `https://${readWorkerConfig(api, env).name}.example.workers.dev`;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { env: { ...childEnv, VITE_API_BASE: apiBase }, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the dashboard build exited with ${build.status ?? build.error?.message}`);
  console.log(`dashboard: built against ${apiBase}`);
  wrangler(['pages', 'deploy', 'dist', '--project-name', dashboardProject(env), '--branch', 'main', '--commit-dirty=true'], { cwd: 'dashboard', skipInDryRun: true });
}

async function smoke() {
  if (!state.apiUrl && !dryRun) throw new Error('no API URL: pass --api-url (or API_URL)');
  // The same video as the API's own canary: this env's CANARY_VIDEO_ID, else the setting's default.
  const configured = readWorkerConfig(api, env).vars.CANARY_VIDEO_ID;
  const videoId = process.env.CANARY_VIDEO_ID || configured || SETTINGS.find((setting) => setting.name === 'CANARY_VIDEO_ID').default;
  if (dryRun) {
    console.log(`[dry run] would check ${state.apiUrl ?? '<the API URL>'}/health, then /v1/resolve?query=${videoId} and the Cache API (/health?deep=true) with SMOKE_API_KEY`);
    return;
  }
  await smokeTest({ apiUrl: state.apiUrl, apiKey: process.env.SMOKE_API_KEY, videoId, customDomain: domain, retryDelayMs: Number(process.env.SMOKE_RETRY_DELAY_MS ?? 3_000) });
}
