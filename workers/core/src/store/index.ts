import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { createD1Store } from './d1-store';
import { createMongoDataApi } from './mongo-data-api';
import { createMongoStore } from './mongo-store';
import type { MongoStoreConnection } from './mongodb-connection';
import { createMongoDriverStore } from './mongodb-store';
import { loadStoreConfig, usesFormerMongoName } from './store-config';
import type { MetadataStore } from './types';

export type * from './types';
export { loadStoreConfig, logRetentionCutoff, type StoreConfig } from './store-config';

export interface StoreDeps {
  /** All Data API calls go through it (timeouts, UPSTREAM_ORIGINS, logging). */
  outbound: OutboundFetch;
  logger: Logger;
}

const warnedFormerName = new WeakSet<object>();

/** The store the settings select: D1 (binding DB) by default, MongoDB through the driver, or the Mongo Data API. */
export function createMetadataStore(env: object, deps: StoreDeps): MetadataStore {
  const config = loadStoreConfig(env);
  if (config.METADATA_STORE === 'mongodb') {
    const namespace = (env as { MONGODB_STORE?: DurableObjectNamespace<MongoStoreConnection> }).MONGODB_STORE;
    if (!namespace || typeof namespace.idFromName !== 'function') {
      throw new AppError('config.invalid', 'Binding MONGODB_STORE (the MongoStoreConnection Durable Object) is required when METADATA_STORE=mongodb.');
    }
    return createMongoDriverStore(namespace, config);
  }
  if (config.METADATA_STORE === 'mongo-data-api') {
    if (usesFormerMongoName(env) && !warnedFormerName.has(env)) {
      warnedFormerName.add(env);
      deps.logger.warn('config.deprecated', { message: 'METADATA_STORE=mongo is now METADATA_STORE=mongo-data-api; the old name still works.' });
    }
    const api = createMongoDataApi({
      url: config.MONGO_DATA_API_URL!,
      apiKey: config.MONGO_DATA_API_KEY!,
      auth: config.MONGO_AUTH,
      dataSource: config.MONGO_DATA_SOURCE,
      database: config.MONGO_DATABASE,
      timeoutMs: config.MONGO_TIMEOUT_MS,
      outbound: deps.outbound,
      logger: deps.logger,
    });
    return createMongoStore(api);
  }
  const db = (env as { DB?: D1Database }).DB;
  if (!db || typeof (db as D1Database).prepare !== 'function') {
    throw new AppError('config.invalid', 'Binding DB (a D1 database) is required when METADATA_STORE=d1.');
  }
  return createD1Store(db);
}
