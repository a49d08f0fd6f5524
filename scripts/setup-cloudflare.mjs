// `npm run setup:cloudflare -- --env staging|production [--write] [--dry-run]`:
// creates, once, what an env's Workers bind to — its D1 database, queues (with
// their dead-letter queues), the dashboard's Pages project — and sets the API's
// required secrets (STREAM_SIGNING_KEY, ADMIN_API_KEY: taken from the environment,
// else generated; a generated ADMIN_API_KEY is printed once). Then it prints what
// to put in wrangler.toml; --write puts the database ids in both files itself.
// --domain api.example.com (or API_DOMAIN): the API's custom domain in this env,
// a zone of the same account; it is written as the API Worker's custom-domain
// route (`routes = [{ pattern = "…", custom_domain = true }]`), where the Cache
// API works. Without one the API stays on workers.dev, and setup says what that costs.
// Safe to run again: what exists is kept. Needs `npm run wrangler -- login`
// (or CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { apiDomain, dashboardProject, environmentResources, parseEnvArgument, projectToolsEnv, readWorkerConfig, WITHOUT_DOMAIN, WORKERS } from './cloudflare/environments.mjs';

const argv = process.argv.slice(2);
let env;
let domain;
try {
  env = parseEnvArgument(argv);
  domain = apiDomain(argv, readWorkerConfig(WORKERS.find((worker) => worker.key === 'api'), env));
} catch (error) {
  console.error(`${error.message}\nusage: npm run setup:cloudflare -- --env staging|production [--domain api.example.com] [--write] [--dry-run]`);
  process.exit(2);
}
const dryRun = argv.includes('--dry-run');
const write = argv.includes('--write');
const childEnv = projectToolsEnv({ CI: 'true' });

function wrangler(args, { input, allowFailure = false } = {}) {
  if (dryRun) {
    console.log(`[dry run] would run: wrangler ${args.join(' ')}`);
    return { ok: true, output: '' };
  }
  const result = spawnSync('wrangler', args, { env: childEnv, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 && !allowFailure) throw new Error(`wrangler ${args.join(' ')} failed:\n${output}`);
  return { ok: result.status === 0, output, stdout: result.stdout ?? '' };
}

const alreadyThere = (output) => /already (exists|taken|in use)/i.test(output);
const { databases, queues } = environmentResources(env);
const summary = { databases: [], queues: [], secrets: [], dashboard: null };

try {
  // D1: create the missing ones, then read every id back from the account's list.
  const listDatabases = () => (dryRun ? [] : JSON.parse(wrangler(['d1', 'list', '--json']).stdout));
  const existing = new Set(listDatabases().map((database) => database.name));
  for (const database of databases) {
    if (existing.has(database.database_name)) {
      console.log(`d1: ${database.database_name} exists`);
    } else {
      wrangler(['d1', 'create', database.database_name]);
      console.log(`d1: ${database.database_name} created`);
    }
  }
  const ids = new Map(listDatabases().map((database) => [database.name, database.uuid]));
  for (const database of databases) summary.databases.push({ name: database.database_name, id: ids.get(database.database_name) ?? '<its id>' });

  for (const queue of queues) {
    const result = wrangler(['queues', 'create', queue], { allowFailure: true });
    if (!result.ok && !alreadyThere(result.output)) throw new Error(`wrangler queues create ${queue} failed:\n${result.output}`);
    summary.queues.push(`${queue} ${result.ok ? 'created' : 'exists'}`);
  }

  const project = dashboardProject(env);
  const pages = wrangler(['pages', 'project', 'create', project, '--production-branch', 'main'], { allowFailure: true });
  if (!pages.ok && !alreadyThere(pages.output)) throw new Error(`wrangler pages project create ${project} failed:\n${pages.output}`);
  summary.dashboard = { project, origin: /https:\/\/[\w.-]+\.pages\.dev/.exec(pages.output)?.[0] ?? `https://${project}.pages.dev` };

  // The API's required secrets. `secret put` creates an empty Worker when there is none yet,
  // so the first deploy finds them (a deploy without them fails).
  const api = WORKERS.find((worker) => worker.key === 'api');
  const required = readWorkerConfig(api, env).secrets?.required ?? [];
  const listed = wrangler(['secret', 'list', '-c', api.config, '--env', env, '--format', 'json'], { allowFailure: true });
  const present = new Set(listed.ok && !dryRun ? JSON.parse(listed.stdout).map((secret) => secret.name) : []);
  for (const name of required) {
    if (present.has(name)) {
      summary.secrets.push(`${name} already set`);
      continue;
    }
    const given = process.env[name];
    const value = given || randomBytes(32).toString('hex');
    wrangler(['secret', 'put', name, '-c', api.config, '--env', env], { input: value });
    if (given) summary.secrets.push(`${name} set from the environment`);
    else if (dryRun) summary.secrets.push(`${name} would be generated`);
    else summary.secrets.push(name === 'ADMIN_API_KEY' ? `${name} generated, keep it (shown once): ${value}` : `${name} generated`);
  }
} catch (error) {
  console.error(`setup ${env}: ${error.message}`);
  process.exit(1);
}

const placeholders = [];
for (const worker of WORKERS) {
  const text = readFileSync(worker.config, 'utf8');
  let patched = text;
  for (const database of summary.databases) {
    const pattern = new RegExp(`(database_name = "${database.name}"\\s*\\n\\s*database_id = )"[^"]*"`, 'g');
    if (pattern.test(text)) placeholders.push(`${worker.config} [env.${env}] database_id = "${database.id}"   # ${database.name}`);
    if (write && !dryRun) patched = patched.replace(pattern, `$1"${database.id}"`);
  }
  if (worker.key === 'api' && domain) {
    const route = `routes = [{ pattern = "${domain}", custom_domain = true }]`;
    placeholders.push(`${worker.config} [env.${env}] ${route}`);
    // The domain proves requests came through the operator's zone: the workers.dev address would
    // let a client skip it (and pick its own X-Forwarded-For), so it is switched off.
    placeholders.push(`${worker.config} [env.${env}] workers_dev = false`);
    if (write && !dryRun) patched = withRoute(patched, env, route);
  }
  if (patched !== text) writeFileSync(worker.config, patched);
}

console.log(`\nsetup ${env}: done.`);
console.log(`  queues: ${summary.queues.join(', ')}`);
console.log(`  secrets: ${summary.secrets.join('; ') || '(none required)'}`);
console.log(`\nPut in the config${write ? ' (written, commit it)' : ' (or run again with --write)'}:`);
for (const line of placeholders) console.log(`  ${line}`);
console.log(`  wrangler.toml [env.${env}.vars] DASHBOARD_ORIGIN = "${summary.dashboard.origin}"   # Pages project ${summary.dashboard.project}`);
console.log(`  rate-limit namespace_id values must be unique in the account (wrangler.toml [[env.${env}.ratelimits]]).`);
if (domain) console.log(`  the API will answer on https://${domain} (its zone must be in this Cloudflare account; DNS and certificate are made by the deploy)`);
else console.log(`\nwarning: ${WITHOUT_DOMAIN.replace('<env>', env)}`);
console.log(`\nThen: npm run deploy -- --env ${env}   (or push to GitHub with CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID set as repository secrets)`);

/** The env's section with its one `routes` line (and `workers_dev = false`): replaced when there is one, else put after its `name`. */
function withRoute(text, envName, route) {
  const header = `[env.${envName}]`;
  const start = text.indexOf(`${header}\n`);
  if (start < 0) throw new Error(`wrangler.toml has no ${header} section`);
  const bodyStart = start + header.length + 1;
  const nextSection = text.slice(bodyStart).search(/^\[/m);
  const bodyEnd = nextSection < 0 ? text.length : bodyStart + nextSection;
  const body = text.slice(bodyStart, bodyEnd);
  const lines = `${route}\nworkers_dev = false`;
  const withoutOld = body.replace(/^workers_dev = .*\n/m, '');
  const updated = /^routes = .*$/m.test(withoutOld) ? withoutOld.replace(/^routes = .*$/m, lines) : withoutOld.replace(/^(name = .*\n)/m, `$1${lines}\n`);
  return text.slice(0, bodyStart) + updated + text.slice(bodyEnd);
}
