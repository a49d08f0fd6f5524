import { z } from 'zod';
import {
  booleanFlag,
  CacheSettingsShape,
  LogSettingsShape,
  originString,
  parseSettings,
  positiveInt,
  YouTubeSettingsShape,
} from '../../core/src/settings';
import { MAX_LOG_WEIGHT } from '../../core/src/store/types';

/**
 * Settings of the API Worker, read once from `env` into a typed object.
 * A bad value fails fast with `config.invalid` naming the variable.
 */
const ConfigSchema = z.object({
  ...YouTubeSettingsShape,
  ...LogSettingsShape,
  ...CacheSettingsShape,
  STREAM_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  STREAM_TOKEN_TTL_SECONDS: positiveInt.default(86_400),
  METADATA_CACHE_TTL_SECONDS: positiveInt.default(3_600),
  APP_VERSION: z.string().default('0.1.0'),
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  REQUIRE_API_KEY: booleanFlag.default(true),
  KEY_DEFAULT_EXPIRY_DAYS: positiveInt.default(30),
  USER_DAILY_LIMIT: positiveInt.default(1_000),
  ADMIN_DAILY_LIMIT: positiveInt.default(10_000_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(100),
  KEY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(600),
  /** Read by the QuotaCounter itself (quota-counter.ts flushIntervalOf); here so a bad value fails fast. */
  QUOTA_FLUSH_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  TRUST_FORWARDED_FOR: booleanFlag.default(false),
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  // The Telegram cache: on when the TELEGRAM_CACHE and CACHE_QUEUE bindings exist and the
  // consumer Worker says it has a bot token; this switch turns it off without unbinding.
  TELEGRAM_CACHE_ENABLED: booleanFlag.default(true),
  CACHE_RETRY_COOLDOWN_SECONDS: positiveInt.default(600),
  /** The cron canary's video (every 15 minutes, through each client): public, long-lived, not age- or region-locked. */
  CANARY_VIDEO_ID: z.string().regex(/^[A-Za-z0-9_-]{11}$/, 'must be an 11-character YouTube id').default('M4gD1WSo5mA'),
  // Routes that answer only with a t.me link wait this long for the upload (their bots give up after 60 s).
  TELEGRAM_LINK_WAIT_SECONDS: positiveInt.max(55).default(40),
  // What abuse may cost (docs/api.md, Keys, tiers and limits).
  PENDING_UPLOADS_PER_KEY: positiveInt.max(1000).default(3),
  LINK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(300),
  LINK_IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(2400),
  LINK_MAX_RESTARTS: z.coerce.number().int().nonnegative().default(20),
  // One request in N gets a request-log row, counted N times (docs/deploying.md, Request logs at scale).
  LOG_SAMPLE_ONE_IN: positiveInt.max(MAX_LOG_WEIGHT).default(1),
  KEY_PROOF_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  KEY_PROOF_PREVIOUS_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LEGACY_KEY_LOOKUP: booleanFlag.default(true),
  TRUSTED_PROXY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DASHBOARD_ORIGIN: z
    .string()
    .transform((text) => text.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(originString))
    .default([]),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Every setting this module reads (the README's table must name each). */
export const CONFIG_SETTING_NAMES = Object.keys(ConfigSchema.shape);

const cache = new WeakMap<object, Config>();

/** Reads settings from the Worker's env; empty strings count as unset. */
export function loadConfig(env: object): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseSettings(ConfigSchema, env);
  cache.set(env, config);
  return config;
}
