import { AppError, isAppError } from '../errors';
import type { ConnectionTarget, MongoStoreConnection, Outcome, StoreOperation } from './mongodb-connection';
import type { StoreConfig } from './store-config';
import type { MetadataStore, PingResult } from './types';

/**
 * METADATA_STORE=mongodb as the Workers see it: every operation is one RPC
 * to the MongoStoreConnection object, which holds the MongoClient. Its
 * Outcome becomes the value or the AppError again. A fresh stub per call: a
 * stub made in one request cannot be used by another.
 */
const OPERATIONS: readonly StoreOperation[] = [
  'createKey', 'getKeyByHash', 'getKeyById', 'listKeys', 'countKeys', 'updateKey', 'deleteKey', 'recordKeyUsage',
  'appendLogs', 'requestsOverTime', 'logSummary', 'logOverview', 'requestsByEndpoint', 'topKeys', 'listLogs', 'deleteLogsBefore',
  'getCacheEntry', 'claimCacheEntry', 'startCacheUpload', 'releaseCacheUpload', 'completeCacheEntry', 'failCacheEntry',
  'markCacheEntryStale', 'listCacheEntries', 'deleteExpiredCacheEntries', 'cacheStats',
];

/** The object's own answer is bounded by the driver's timeouts; this bounds a stuck object (connect + indexes + the call). */
const deadlineOf = (timeoutMs: number) => Math.max(timeoutMs * 5, 5_000);

/**
 * One object per connection string and database: in an environment that is
 * one object (per Worker). The name carries a hash of the string, never the string.
 */
export function mongodbObjectName(target: ConnectionTarget): string {
  let hash = 0x811c9dc5;
  for (const char of `${target.uri}\u0000${target.database}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `metadata-store/${hash.toString(16)}`;
}

export function createMongoDriverStore(namespace: DurableObjectNamespace<MongoStoreConnection>, config: StoreConfig): MetadataStore {
  const target: ConnectionTarget = {
    uri: config.MONGODB_URI ?? '',
    database: config.MONGO_DATABASE,
    timeoutMs: config.MONGO_TIMEOUT_MS,
    logRetentionDays: config.LOG_RETENTION_DAYS,
  };
  const name = mongodbObjectName(target);
  const stub = () => namespace.get(namespace.idFromName(name), config.MONGODB_LOCATION_HINT ? { locationHint: config.MONGODB_LOCATION_HINT } : undefined);
  const deadline = deadlineOf(config.MONGO_TIMEOUT_MS);

  async function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new AppError('store.unavailable', `The MongoDB connection object did not answer ${what} within ${deadline} ms.`)), deadline);
    });
    try {
      return await Promise.race([work, late]);
    } catch (error) {
      if (isAppError(error)) throw error;
      // The object itself failed (reset, overloaded): its message may be anything, so it is not passed on.
      throw new AppError('store.unavailable', `The MongoDB connection object failed ${what}.`, { cause: error });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  async function call(operation: StoreOperation, args: unknown[]): Promise<unknown> {
    const object = stub() as unknown as Record<StoreOperation, (...input: unknown[]) => Promise<Outcome<unknown>>>;
    const outcome = await withDeadline(object[operation](target, ...args), operation);
    if (outcome.ok) return outcome.value;
    throw new AppError(outcome.code, outcome.message);
  }

  const store: Record<string, unknown> = {
    backend: 'mongodb',
    async ping(): Promise<PingResult> {
      const started = Date.now();
      try {
        return await withDeadline(stub().ping(target) as Promise<PingResult>, 'ping');
      } catch (error) {
        return { ok: false, backend: 'mongodb', latency_ms: Date.now() - started, error: isAppError(error) ? error.code : 'store.unavailable' };
      }
    },
  };
  for (const operation of OPERATIONS) store[operation] = (...args: unknown[]) => call(operation, args);
  return store as unknown as MetadataStore;
}
