import { timedPing } from './shared';
import { mongoCacheOps } from './mongo-cache';
import type { MongoDataApi } from './mongo-data-api';
import { mongoKeyOps } from './mongo-keys';
import { mongoLogOps } from './mongo-logs';
import { mongoOverviewOps } from './mongo-overview';
import { COLLECTIONS } from './mongo-shared';
import type { MetadataStore } from './types';

/**
 * The Mongo backend, over the Data API wire protocol or (mongodb-api.ts) the official driver. Each record is one
 * document whose _id is its natural key (key id, request id, type:video id),
 * so the always-present _id index enforces uniqueness and makes the cache
 * claim and log inserts safe to repeat.
 */
export function createMongoStore(api: MongoDataApi, backend: 'mongo' | 'mongodb' = 'mongo'): MetadataStore {
  return {
    backend,
    ping: () => timedPing(backend, () => api.findOne(COLLECTIONS.keys, { _id: '__ping__' })),
    ...mongoKeyOps(api),
    ...mongoLogOps(api),
    ...mongoOverviewOps(api),
    ...mongoCacheOps(api),
  };
}
