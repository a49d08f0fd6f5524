import { z } from 'zod';
import { AppError } from './errors';

/**
 * Settings of the API Worker, read once from `env` into a typed object.
 * A bad value fails fast with `config.invalid` naming the variable.
 */

export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

export const positiveInt = z.coerce.number().int().positive();

export const originString = z
  .string()
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) origin')
  .transform((value) => new URL(value).origin);

/** JSON object: hostname or `*.suffix` → origin. */
export const upstreamOrigins = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().regex(/^(\*\.)?[a-z0-9.-]+$/i, 'keys are hostnames or *.suffix'), originString));

export const FallbackInstanceSchema = z.object({
  type: z.enum(['invidious', 'piped']),
  url: originString,
});
export type FallbackInstance = z.infer<typeof FallbackInstanceSchema>;

/** JSON `[{"type":"piped","url":"…"}]`, or a comma list of `invidious:https://…` / `piped:https://…`. */
export const fallbackInstances = z.string().transform((text, ctx) => {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let raw: unknown;
  if (trimmed.startsWith('[')) {
    try {
      raw = JSON.parse(trimmed);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array or a comma list of type:url' });
      return z.NEVER;
    }
  } else {
    raw = trimmed.split(',').map((item) => {
      const entry = item.trim();
      const colon = entry.indexOf(':');
      return { type: entry.slice(0, colon), url: entry.slice(colon + 1) };
    });
  }
  const parsed = z.array(FallbackInstanceSchema).safeParse(raw);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'each entry needs type invidious|piped and an http(s) url' });
    return z.NEVER;
  }
  return parsed.data;
});

const SUPPORTED_CLIENTS = ['VISIONOS', 'ANDROID_VR', 'IOS', 'ANDROID', 'TV', 'TV_EMBEDDED', 'WEB_EMBEDDED', 'MWEB', 'WEB'] as const;
export type YouTubeClientName = (typeof SUPPORTED_CLIENTS)[number];

export const youtubeClients = z
  .string()
  .transform((text) => text.split(',').map((name) => name.trim().toUpperCase()).filter(Boolean))
  .pipe(z.array(z.enum(SUPPORTED_CLIENTS)).min(1));

const ConfigSchema = z.object({
  STREAM_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  STREAM_TOKEN_TTL_SECONDS: positiveInt.default(86_400),
  YOUTUBE_CLIENTS: youtubeClients.default(['VISIONOS', 'ANDROID_VR', 'IOS']),
  FALLBACK_INSTANCES: fallbackInstances.default([]),
  UPSTREAM_ORIGINS: upstreamOrigins.default({}),
  UPSTREAM_TIMEOUT_MS: positiveInt.default(10_000),
  METADATA_CACHE_TTL_SECONDS: positiveInt.default(3_600),
  STREAM_CHUNK_BYTES: positiveInt.max(10 * 1024 * 1024).default(10 * 1024 * 1024),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  DEBUG: booleanFlag.default(false),
  APP_VERSION: z.string().default('0.1.0'),
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  REQUIRE_API_KEY: booleanFlag.default(true),
  KEY_DEFAULT_EXPIRY_DAYS: positiveInt.default(30),
  USER_DAILY_LIMIT: positiveInt.default(1_000),
  ADMIN_DAILY_LIMIT: positiveInt.default(10_000_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(100),
  TRUST_FORWARDED_FOR: booleanFlag.default(false),
  // The Telegram cache: on when the TELEGRAM_CACHE and CACHE_QUEUE bindings exist and the
  // consumer Worker says it has a bot token; this switch turns it off without unbinding.
  TELEGRAM_CACHE_ENABLED: booleanFlag.default(true),
  CACHE_RETRY_COOLDOWN_SECONDS: positiveInt.default(600),
  DASHBOARD_ORIGIN: z
    .string()
    .transform((text) => text.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(originString))
    .default([]),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Every setting this module reads (the README's table must name each). */
export const CONFIG_SETTING_NAMES = Object.keys(ConfigSchema.shape);

/** Names of settings whose values must never appear in a response or a log. */
export const SECRET_SETTINGS = ['STREAM_SIGNING_KEY', 'ADMIN_API_KEY', 'MONGO_DATA_API_KEY', 'TELEGRAM_BOT_TOKEN'] as const;

const cache = new WeakMap<object, Config>();

/** Reads settings from the Worker's env; empty strings count as unset. */
export function loadConfig(env: object): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseSettings(ConfigSchema, env);
  cache.set(env, config);
  return config;
}

/** Parses a Worker's env with a settings schema; a bad value throws config.invalid naming the variable. */
export function parseSettings<Schema extends z.ZodType>(schema: Schema, env: object): z.infer<Schema> {
  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string' && value !== '') raw[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') raw[name] = String(value);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'unknown');
    const reason = issue.code === 'invalid_type' && raw[variable] === undefined ? 'is required' : issue.message;
    throw new AppError('config.invalid', `Setting ${variable} ${reason}.`);
  }
  return parsed.data;
}
