import { z } from 'zod';
import { httpUrl, parseSettings, positiveInt } from '../settings';
import { AppError } from '../errors';

/**
 * Settings of the metadata store, read from the Worker's env. Kept apart
 * from config.ts so the queue consumers can load them without the API's
 * required settings.
 */

/** Where Cloudflare may place the MongoDB connection's Durable Object (its locationHint values). */
export const LOCATION_HINTS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;

/** A connection string: checked by its scheme only, so no part of it (a password) reaches a message. */
const mongodbUri = z.string().refine((value) => /^mongodb(\+srv)?:\/\/[^\s]+$/.test(value), 'must be a mongodb:// or mongodb+srv:// connection string');

const StoreConfigSchema = z.object({
  /** `mongo` is the Data API backend's former name: still accepted, with a warning. */
  METADATA_STORE: z.enum(['d1', 'mongodb', 'mongo-data-api', 'mongo']).default('d1'),
  MONGODB_URI: mongodbUri.optional(),
  MONGODB_LOCATION_HINT: z.enum(LOCATION_HINTS).optional(),
  MONGO_DATA_API_URL: httpUrl.optional(),
  MONGO_DATA_API_KEY: z.string().optional(),
  MONGO_DATA_SOURCE: z.string().default('Cluster0'),
  MONGO_DATABASE: z.string().regex(/^[^/\\. "$]{1,63}$/, 'must be a MongoDB database name').default('yt_music_api'),
  MONGO_AUTH: z.enum(['api-key', 'bearer']).default('api-key'),
  MONGO_TIMEOUT_MS: positiveInt.max(60_000).default(3_000),
  LOG_RETENTION_DAYS: positiveInt.max(3_650).default(90),
});

/** After loading, `mongo` reads as `mongo-data-api`. */
export type StoreConfig = Omit<z.infer<typeof StoreConfigSchema>, 'METADATA_STORE'> & { METADATA_STORE: 'd1' | 'mongodb' | 'mongo-data-api' };

/** True when the env still names the Data API backend by its former name (worth a warning). */
export function usesFormerMongoName(env: object): boolean {
  return (env as { METADATA_STORE?: unknown }).METADATA_STORE === 'mongo';
}

/** Every setting this module reads (the README's table must name each). */
export const STORE_SETTING_NAMES = Object.keys(StoreConfigSchema.shape);

const cache = new WeakMap<object, StoreConfig>();

/** Empty strings count as unset, as in loadConfig. */
export function loadStoreConfig(env: object): StoreConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  // parseSettings names the setting in its error, never its value (the API key is one).
  const parsed = parseSettings(StoreConfigSchema, env);
  const config: StoreConfig = { ...parsed, METADATA_STORE: parsed.METADATA_STORE === 'mongo' ? 'mongo-data-api' : parsed.METADATA_STORE };
  if (config.METADATA_STORE === 'mongo-data-api') {
    for (const name of ['MONGO_DATA_API_URL', 'MONGO_DATA_API_KEY'] as const) {
      if (!config[name]) throw new AppError('config.invalid', `Setting ${name} is required when METADATA_STORE=mongo-data-api.`);
    }
  }
  if (config.METADATA_STORE === 'mongodb' && !config.MONGODB_URI) {
    throw new AppError('config.invalid', 'Setting MONGODB_URI is required when METADATA_STORE=mongodb.');
  }
  cache.set(env, config);
  return config;
}

/** Logs older than this go (D1: the scheduled clean-up calls deleteLogsBefore; Mongo: a TTL index does it too). */
export function logRetentionCutoff(config: StoreConfig, now: Date): Date {
  return new Date(now.getTime() - config.LOG_RETENTION_DAYS * 86_400_000);
}
