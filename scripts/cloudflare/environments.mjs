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
