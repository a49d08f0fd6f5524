import type { Logger } from '../logging/logger';
import { logRetentionCutoff, type StoreConfig } from './store-config';
import type { MetadataStore } from './types';

/**
 * The daily clean-up (the API Worker's cron): request logs older than
 * LOG_RETENTION_DAYS and cache entries past their expiry. On Mongo TTL
 * indexes do the same; running it there too is harmless.
 */
export async function applyRetention(store: MetadataStore, config: StoreConfig, now: Date, logger: Logger) {
  const logs = await store.deleteLogsBefore(logRetentionCutoff(config, now));
  const cacheEntries = await store.deleteExpiredCacheEntries(now);
  logger.info('retention.done', { logs, cacheEntries });
  return { logs, cacheEntries };
}
