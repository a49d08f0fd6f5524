import { z } from 'zod';
import { CacheSettingsShape, httpUrl, LogSettingsShape, parseSettings, positiveInt, YouTubeSettingsShape } from '../../core/src/settings';

/**
 * Settings of the cache consumer Worker. It alone holds the bot token: the API
 * Worker reaches the cached files through this Worker's service binding.
 */
const MiB = 1024 * 1024;

/** Telegram's own Bot API: uploads up to 50 MB, getFile downloads up to 20 MB. */
export const OFFICIAL_API_ROOT = 'https://api.telegram.org';
export const OFFICIAL_UPLOAD_LIMIT = 50 * MiB;
export const OFFICIAL_DOWNLOAD_LIMIT = 20 * MiB;
/** A local Bot API server (tdlib's telegram-bot-api --local) takes uploads up to 2000 MB. */
export const LOCAL_UPLOAD_LIMIT = 2000 * MiB;

const ConsumerConfigSchema = z
  .object({
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'must be a bot token from @BotFather (digits:letters)').optional(),
    TELEGRAM_CHANNEL_ID: z
      .string()
      .regex(/^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?\d+)$/, 'must be a @channelname or a numeric chat id such as -1001234567890')
      .optional(),
    TELEGRAM_API_ROOT: httpUrl.default(OFFICIAL_API_ROOT),
    /** Where file downloads come from; by default `<TELEGRAM_API_ROOT>/file/bot<token>`. */
    TELEGRAM_FILE_ROOT: httpUrl.optional(),
    TELEGRAM_UPLOAD_TIMEOUT_MS: positiveInt.default(300_000),
    CACHE_TTL_DAYS: positiveInt.default(30),
    CACHE_MAX_FILE_BYTES: positiveInt.optional(),
    /** Must equal max_retries of the queue consumer in workers/consumer/wrangler.toml. */
    CACHE_MAX_RETRIES: z.coerce.number().int().min(0).max(100).default(5),
    CACHE_RETRY_BASE_SECONDS: positiveInt.default(30),
    ...YouTubeSettingsShape,
    ...LogSettingsShape,
    ...CacheSettingsShape,
  })
  .superRefine((config, ctx) => {
    if (config.TELEGRAM_BOT_TOKEN && !config.TELEGRAM_CHANNEL_ID) {
      ctx.addIssue({ code: 'custom', path: ['TELEGRAM_CHANNEL_ID'], message: 'is required when TELEGRAM_BOT_TOKEN is set' });
    }
  });

export type ConsumerConfig = z.infer<typeof ConsumerConfigSchema>;

/** Every setting this module reads (the README's table must name each). */
export const CONSUMER_SETTING_NAMES = Object.keys(ConsumerConfigSchema.shape);

const cache = new WeakMap<object, ConsumerConfig>();

export function loadConsumerConfig(env: object): ConsumerConfig {
  let config = cache.get(env);
  if (!config) {
    config = parseSettings(ConsumerConfigSchema, env);
    cache.set(env, config);
  }
  return config;
}

export interface FileLimits {
  /** true when TELEGRAM_API_ROOT is not Telegram's own server. */
  localApi: boolean;
  /** The largest file worth uploading: it must also download again through getFile to be served. */
  maxFileBytes: number;
}

export function fileLimits(config: ConsumerConfig): FileLimits {
  const localApi = new URL(config.TELEGRAM_API_ROOT).hostname !== new URL(OFFICIAL_API_ROOT).hostname;
  const uploadLimit = localApi ? LOCAL_UPLOAD_LIMIT : OFFICIAL_UPLOAD_LIMIT;
  const natural = localApi ? uploadLimit : Math.min(uploadLimit, OFFICIAL_DOWNLOAD_LIMIT);
  return { localApi, maxFileBytes: Math.min(config.CACHE_MAX_FILE_BYTES ?? natural, uploadLimit) };
}
