import { secretValuesOf } from '../../core/src/settings';
import { useCacheApiSetting } from '../../core/src/cache/edge-cache';
import { loadConfig, type Config } from './config';
import { createLogger, type Logger } from '../../core/src/logging/logger';
import { createOutbound, type OutboundFetch } from '../../core/src/outbound/http';
import { createMetadataStore } from '../../core/src/store';
import type { MetadataStore } from '../../core/src/store/types';

/**
 * What every entry point of the API Worker (fetch, queue, scheduled) builds
 * from its env: settings parsed once per env, a logger that masks every
 * secret, the outbound door, and the store, made on first use so the hot
 * path of a known key never builds it.
 */
export interface WorkerServices {
  config: Config;
  logger: Logger;
  outbound: OutboundFetch;
  store: () => MetadataStore;
}

export function createWorkerServices(env: object, logFields: Record<string, unknown> = {}): WorkerServices {
  const config = loadConfig(env);
  useCacheApiSetting(config.CACHE_API);
  const secrets = secretValuesOf(env);
  const logger = createLogger({ level: config.DEBUG ? 'debug' : config.LOG_LEVEL, format: config.LOG_FORMAT, secrets }, logFields);
  const outbound = createOutbound({ upstreamOrigins: config.UPSTREAM_ORIGINS, timeoutMs: config.UPSTREAM_TIMEOUT_MS, logger, relaySecret: config.RELAY_SECRET });
  let store: MetadataStore | undefined;
  return { config, logger, outbound, store: () => (store ??= createMetadataStore(env, { outbound, logger })) };
}
