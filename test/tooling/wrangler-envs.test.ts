import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { ROOT } from './support';

const ENVS = ['staging', 'production'] as const;
const CONFIGS = { api: 'wrangler.toml', consumer: 'workers/consumer/wrangler.toml' } as const;
/** Vars whose value is meant to differ per env; every other var has the top level's value. */
const PER_ENV_VARS = new Set(['DASHBOARD_ORIGIN']);

interface Named { binding?: string; name?: string }
/** The parts of wrangler's resolved config these tests read. */
interface Config {
  name: string;
  vars: Record<string, unknown>;
  secrets?: { required?: string[] };
  d1_databases: (Named & { database_name: string })[];
  durable_objects: { bindings: Named[] };
  queues: { producers?: (Named & { queue: string })[]; consumers?: ({ queue: string; dead_letter_queue?: string; max_retries?: number } & Record<string, unknown>)[] };
  services?: (Named & { service: string })[];
  ratelimits?: (Named & { namespace_id: string })[];
  kv_namespaces: Named[];
  r2_buckets: Named[];
  analytics_engine_datasets: Named[];
  triggers: { crons?: string[] };
  migrations: { tag: string }[];
}
const read = (worker: keyof typeof CONFIGS, env?: string) => unstable_readConfig({ config: join(ROOT, CONFIGS[worker]), env }) as unknown as Config;

/** Everything wrangler does not inherit into an env, by kind: the names the code sees. */
function declared(config: Config) {
  const names = (items: Named[] | undefined) => (items ?? []).map((item) => item.binding ?? item.name).sort();
  return {
    vars: Object.keys(config.vars).filter((name) => !PER_ENV_VARS.has(name)).sort(),
    d1: names(config.d1_databases),
    durableObjects: names(config.durable_objects.bindings),
    queueProducers: names(config.queues.producers),
    // Every consumer setting but the queue names, which differ per env.
    queueConsumers: (config.queues.consumers ?? []).map(({ queue: _queue, dead_letter_queue: _dlq, ...settings }) => settings),
    services: names(config.services),
    rateLimits: names(config.ratelimits),
    kv: names(config.kv_namespaces),
    r2: names(config.r2_buckets),
    analytics: names(config.analytics_engine_datasets),
    crons: [...(config.triggers.crons ?? [])].sort(),
    // Inherited today; an env of its own would have to keep every Durable Object migration.
    durableObjectMigrations: config.migrations.map((migration) => migration.tag),
  };
}

describe.each(Object.keys(CONFIGS) as (keyof typeof CONFIGS)[])('the %s Worker’s wrangler.toml', (worker) => {
  const top = read(worker);

  it.each(ENVS)('[env.%s] declares every binding, var and cron of the top level', (env) => {
    const inEnv = declared(read(worker, env));
    for (const [kind, names] of Object.entries(declared(top))) {
      expect(inEnv[kind as keyof typeof inEnv], `${CONFIGS[worker]} [env.${env}] ${kind}: wrangler does not inherit them, so repeat the top level's there`).toEqual(names);
    }
  });

  it('every env requires the same secrets, and the top level none (npm start passes every setting through .dev.vars, which wrangler dev then reads whole)', () => {
    expect(top.secrets).toBeUndefined();
    const [first, ...others] = ENVS.map((env) => read(worker, env).secrets?.required);
    expect(first).toBeDefined();
    for (const required of others) expect(required).toEqual(first);
  });

  it.each(ENVS)('[env.%s] vars have the top level’s values, except the per-env ones', (env) => {
    const vars = read(worker, env).vars;
    for (const [name, value] of Object.entries(top.vars)) if (!PER_ENV_VARS.has(name)) expect(vars[name], `${CONFIGS[worker]} [env.${env}.vars] ${name} differs from the top level`).toEqual(value);
  });

  it('each env has its own Worker name, D1 database, queues and rate-limit namespaces', () => {
    const configs = [top, ...ENVS.map((env) => read(worker, env))];
    const distinct = (values: unknown[]) => expect(new Set(values).size).toBe(values.length);
    distinct(configs.map((config) => config.name));
    distinct(configs.flatMap((config) => config.d1_databases.map((database) => database.database_name)));
    const queuesOf = (config: Config) => new Set([...(config.queues.producers ?? []).map((queue) => queue.queue), ...(config.queues.consumers ?? []).flatMap((queue) => [queue.queue, queue.dead_letter_queue ?? ''])].filter(Boolean));
    for (const [index, config] of configs.entries()) {
      for (const other of configs.slice(index + 1)) for (const queue of queuesOf(config)) expect(queuesOf(other).has(queue), `${queue} is shared by two envs`).toBe(false);
    }
    // namespace_id is unique per Cloudflare account, so no two envs may share one.
    distinct(configs.flatMap((config) => config.ratelimits?.map((limit) => limit.namespace_id) ?? []));
  });
});

describe.each(ENVS)('[env.%s] of both Workers', (env) => {
  const api = read('api', env);
  const consumer = read('consumer', env);

  it('the API reaches this env’s consumer, and both use this env’s D1 database', () => {
    expect(api.services?.find((service) => service.binding === 'TELEGRAM_CACHE')?.service).toBe(consumer.name);
    const cacheQueue = api.queues.producers?.find((queue) => queue.binding === 'CACHE_QUEUE')?.queue;
    expect(consumer.queues.consumers?.map((queue) => queue.queue)).toEqual([cacheQueue]);
    expect(consumer.d1_databases.map((database) => database.database_name)).toEqual(api.d1_databases.map((database) => database.database_name));
  });

  it('the dashboard origin is set, and the consumer’s retries match CACHE_MAX_RETRIES', () => {
    expect((api.vars as Record<string, string>).DASHBOARD_ORIGIN).toMatch(/^https:\/\//);
    expect(consumer.queues.consumers?.[0]?.max_retries).toBe(Number((consumer.vars as Record<string, string>).CACHE_MAX_RETRIES));
  });
});
