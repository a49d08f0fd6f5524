import type { Api } from 'grammy';
import { secretSettingValues } from '../../core/src/settings';
import { useCacheApiSetting } from '../../core/src/cache/edge-cache';
import { createLogger, type Logger } from '../../core/src/logging/logger';
import { createOutbound, type OutboundFetch } from '../../core/src/outbound/http';
import { createMetadataStore } from '../../core/src/store';
import type { MetadataStore } from '../../core/src/store/types';
import { fileLimits, loadConsumerConfig, type ConsumerConfig, type FileLimits } from './config';
import { createTelegramApi } from './telegram-client';

/**
 * Bindings of the cache consumer Worker: `ConsumerBindings` is generated from its
 * wrangler.toml by `npm run types`; optional here, as the Mongo backend needs no DB.
 * Settings arrive as strings and are parsed by config.ts.
 */
export interface ConsumerEnv extends Partial<ConsumerBindings> {
  [setting: string]: unknown;
}

/** What one queue batch or one file request works with, built from the env. */
export interface ConsumerRuntime {
  config: ConsumerConfig;
  limits: FileLimits;
  logger: Logger;
  outbound: OutboundFetch;
  store: () => MetadataStore;
  /** null: no bot token, caching is off. */
  telegram: { api: Api; token: string; channel: string } | null;
  /** Values masked in every log line and failure reason. */
  secrets: string[];
}

export function createRuntime(env: ConsumerEnv, sink?: (line: string) => void): ConsumerRuntime {
  const config = loadConsumerConfig(env);
  useCacheApiSetting(config.CACHE_API);
  const secrets = secretValues(env);
  const logger = createLogger(
    { level: config.DEBUG ? 'debug' : config.LOG_LEVEL, format: config.LOG_FORMAT, secrets, ...(sink ? { sink } : {}) },
    { worker: 'cache-consumer' },
  );
  const outbound = createOutbound({ upstreamOrigins: config.UPSTREAM_ORIGINS, timeoutMs: config.UPSTREAM_TIMEOUT_MS, logger, relaySecret: config.RELAY_SECRET });
  let store: MetadataStore | undefined;
  const token = config.TELEGRAM_BOT_TOKEN;
  return {
    config,
    limits: fileLimits(config),
    logger,
    outbound,
    store: () => (store ??= createMetadataStore(env, { outbound, logger })),
    telegram: token ? { api: createTelegramApi(config, token, outbound), token, channel: config.TELEGRAM_CHANNEL_ID! } : null,
    secrets,
  };
}

/** Secrets as they are and as they look inside a URL (a token's colon is escaped there). */
export function secretValues(env: ConsumerEnv): string[] {
  const values = secretSettingValues(env as Record<string, unknown>);
  return [...new Set(values.flatMap((value) => [value, encodeURIComponent(value)]))];
}
