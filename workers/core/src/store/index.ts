import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { createD1Store } from './d1-store';
import { createMongoDataApi } from './mongo-data-api';
import { createMongoStore } from './mongo-store';
import { loadStoreConfig } from './store-config';
import type { MetadataStore } from './types';

export type * from './types';
export { loadStoreConfig, logRetentionCutoff, type StoreConfig } from './store-config';

export interface StoreDeps {
  /** All Data API calls go through it (timeouts, UPSTREAM_ORIGINS, logging). */
  outbound: OutboundFetch;
  logger: Logger;
}

/** The store the settings select: D1 (binding DB) by default, or the Mongo Data API. */
export function createMetadataStore(env: object, deps: StoreDeps): MetadataStore {
  const config = loadStoreConfig(env);
  if (config.METADATA_STORE === 'mongo') {
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
