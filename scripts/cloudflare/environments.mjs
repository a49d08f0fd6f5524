// The deployed environments and what each is made of, read from the Workers'
// wrangler.toml files (their [env.<name>] sections) through wrangler's own reader.
import { delimiter, resolve } from 'node:path';
import { unstable_readConfig } from 'wrangler';

export const ENVIRONMENTS = ['staging', 'production'];

/** In deploy order: the API's service binding needs the consumer to exist. */
export const WORKERS = [
  { key: 'consumer', config: 'workers/consumer/wrangler.toml' },
  { key: 'api', config: 'wrangler.toml' },
];

export function readWorkerConfig(worker, env) {
  return unstable_readConfig({ config: worker.config, env });
}

/** The Pages project of an env's dashboard; its origin is DASHBOARD_ORIGIN in that env's [vars]. */
export function dashboardProject(env) {
  return process.env.DASHBOARD_PROJECT || `yt-music-dashboard-${env}`;
}

/** `--env staging` or `--env=staging`, checked against the known envs. */
export function parseEnvArgument(argv) {
  const index = argv.findIndex((arg) => arg === '--env' || arg === '-e' || arg.startsWith('--env='));
  const env = index < 0 ? undefined : argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
  if (!env || !ENVIRONMENTS.includes(env)) {
    throw new Error(`--env must be one of ${ENVIRONMENTS.join(', ')}${env ? ` (got "${env}")` : ''}`);
  }
  return env;
}

/** Every Cloudflare resource an env's Workers bind to, by kind. */
export function environmentResources(env) {
  const databases = new Map();
  const queues = new Set();
  for (const worker of WORKERS) {
    const config = readWorkerConfig(worker, env);
    for (const database of config.d1_databases) databases.set(database.database_name, database);
    for (const producer of config.queues.producers ?? []) queues.add(producer.queue);
    for (const consumer of config.queues.consumers ?? []) {
      queues.add(consumer.queue);
      if (consumer.dead_letter_queue) queues.add(consumer.dead_letter_queue);
    }
  }
  return { databases: [...databases.values()], queues: [...queues] };
}

/** The process env with the project's wrangler and vite first on PATH, on its Node 22, as `npm run` has them. */
export function projectToolsEnv(extra = {}) {
  const projectBin = resolve('node_modules/.bin');
  const path = process.env.PATH ?? '';
  const onPath = path.split(delimiter).includes(projectBin);
  return { ...process.env, PATH: onPath ? path : `${projectBin}${delimiter}${path}`, WRANGLER_SEND_METRICS: 'false', ...extra };
}

/** A hostname Cloudflare can serve as a Worker's custom domain: no scheme, path, port or wildcard. */
export function checkDomain(domain) {
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domain)) {
    throw new Error(`API_DOMAIN must be a hostname such as api.example.com (no https://, path or wildcard); got "${domain}"`);
  }
  return domain.toLowerCase();
}

/** The custom domains the API Worker's config already routes, in this env. */
export function configuredDomains(config) {
  return (config.routes ?? []).filter((route) => typeof route === 'object' && route.custom_domain).map((route) => route.pattern);
}

/**
 * The API's custom domain for this run: `--domain`, else API_DOMAIN (each run deploys one env,
 * so in GitHub the environment's variable), else the one the env's config routes. Undefined: none.
 */
export function apiDomain(argv, config) {
  const index = argv.findIndex((arg) => arg === '--domain' || arg.startsWith('--domain='));
  const given = index < 0 ? process.env.API_DOMAIN : argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
  if (given) return checkDomain(given.trim());
  return configuredDomains(config)[0];
}

/** What a deploy on the workers.dev address goes without (the Cache API stores nothing there). */
export const WITHOUT_DOMAIN = [
  'no API_DOMAIN: the API Worker answers on its workers.dev address, where the Cache API keeps nothing.',
  'There: the metadata and search caches are each isolate\'s memory only (every new isolate asks YouTube again),',
  'and client health and unknown keys are shared through the SharedHealth Durable Object instead of the colo\'s cache.',
  'Add a domain of a zone in this Cloudflare account: `npm run setup:cloudflare -- --env <env> --domain api.example.com --write`',
  '(or the GitHub environment variable API_DOMAIN). See docs/deploying.md.',
].join('\n  ');
