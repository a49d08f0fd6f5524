import { z } from 'zod';
import { httpUrl, parseSettings, positiveInt } from '../settings';
import { AppError } from '../errors';

/**
 * Settings of the metadata store, read from the Worker's env. Kept apart
 * from config.ts so the queue consumers can load them without the API's
 * required settings.
 */

const StoreConfigSchema = z.object({
  METADATA_STORE: z.enum(['d1', 'mongo']).default('d1'),
  MONGO_DATA_API_URL: httpUrl.optional(),
  MONGO_DATA_API_KEY: z.string().optional(),
  MONGO_DATA_SOURCE: z.string().default('Cluster0'),
  MONGO_DATABASE: z.string().regex(/^[^/\\. "$]{1,63}$/, 'must be a MongoDB database name').default('yt_music_api'),
  MONGO_AUTH: z.enum(['api-key', 'bearer']).default('api-key'),
  MONGO_TIMEOUT_MS: positiveInt.max(60_000).default(3_000),
  LOG_RETENTION_DAYS: positiveInt.max(3_650).default(90),
});

export type StoreConfig = z.infer<typeof StoreConfigSchema>;

/** Every setting this module reads (the README's table must name each). */
export const STORE_SETTING_NAMES = Object.keys(StoreConfigSchema.shape);

const cache = new WeakMap<object, StoreConfig>();

/** Empty strings count as unset, as in loadConfig. */
export function loadStoreConfig(env: object): StoreConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  // parseSettings names the setting in its error, never its value (the API key is one).
  const config = parseSettings(StoreConfigSchema, env);
  if (config.METADATA_STORE === 'mongo') {
    for (const name of ['MONGO_DATA_API_URL', 'MONGO_DATA_API_KEY'] as const) {
      if (!config[name]) throw new AppError('config.invalid', `Setting ${name} is required when METADATA_STORE=mongo.`);
    }
  }
  cache.set(env, config);
  return config;
}

/** Logs older than this go (D1: the scheduled clean-up calls deleteLogsBefore; Mongo: a TTL index does it too). */
export function logRetentionCutoff(config: StoreConfig, now: Date): Date {
  return new Date(now.getTime() - config.LOG_RETENTION_DAYS * 86_400_000);
}
