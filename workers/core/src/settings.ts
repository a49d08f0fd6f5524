import { z } from 'zod';
import { AppError } from './errors';
import { parseYouTubeCookies } from './youtube/cookies';
import { clientOverridesSetting } from './youtube/client-overrides';

/**
 * Setting parsers both Workers use, and the YouTube settings they share.
 * Each Worker reads its env once into a typed object; a bad value fails fast
 * with `config.invalid` naming the variable.
 */

export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

export const positiveInt = z.coerce.number().int().positive();

/** An http(s) URL, kept without its trailing slashes (paths are appended to it). */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((value) => value.replace(/\/+$/, ''));

/** An http(s) URL reduced to its origin. */
export const originString = httpUrl.transform((value) => new URL(value).origin);

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

export const SUPPORTED_CLIENTS = ['VISIONOS', 'ANDROID_VR', 'IOS', 'ANDROID', 'TV', 'TV_MODERN', 'TV_EMBEDDED', 'WEB_EMBEDDED', 'MWEB', 'WEB'] as const;
export type YouTubeClientName = (typeof SUPPORTED_CLIENTS)[number];

export const youtubeClients = z
  .string()
  .transform((text) => text.split(',').map((name) => name.trim().toUpperCase()).filter(Boolean))
  .pipe(z.array(z.enum(SUPPORTED_CLIENTS)).min(1));

/**
 * Clients that need neither a sign-in nor a PO token first (VISIONOS plain, TV and WEB_EMBEDDED
 * deciphered), then the PO-token clients, which are skipped unless PO_TOKEN_PROVIDER_URL is set.
 */
export const DEFAULT_YOUTUBE_CLIENTS: YouTubeClientName[] = ['VISIONOS', 'TV', 'WEB_EMBEDDED', 'MWEB', 'WEB'];

/** What both Workers need to reach YouTube and googlevideo. */
export const YouTubeSettingsShape = {
  YOUTUBE_CLIENTS: youtubeClients.default(DEFAULT_YOUTUBE_CLIENTS),
  /** JSON `{"TV":{"clientVersion":"…"}}`: fields replacing the built-in client table's (youtube/client-overrides.ts). */
  YOUTUBE_CLIENT_OVERRIDES: clientOverridesSetting.default({}),
  /** A bgutil-protocol PO token provider (youtube/po-token-provider.ts); MWEB and WEB need it. */
  PO_TOKEN_PROVIDER_URL: httpUrl.optional(),
  /** Netscape cookies.txt or a Cookie header line of a (throwaway) account, for the clients that take one. */
  YOUTUBE_COOKIES: z.string().optional(),
  FALLBACK_INSTANCES: fallbackInstances.default([]),
  UPSTREAM_ORIGINS: upstreamOrigins.default({}),
  UPSTREAM_TIMEOUT_MS: positiveInt.default(10_000),
  STREAM_CHUNK_BYTES: positiveInt.max(10 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Client health (issue 10 §5): failures in a row before a client is set aside, and for how long. */
  CLIENT_FAILURE_THRESHOLD: positiveInt.max(100).default(5),
  CLIENT_COOL_OFF_SECONDS: positiveInt.default(600),
  /** Sent as X-Relay-Secret to an egress relay (relay/) on the requests UPSTREAM_ORIGINS sends there. */
  RELAY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
};
const YouTubeSettingsSchema = z.object(YouTubeSettingsShape);
export type YouTubeSettings = z.infer<typeof YouTubeSettingsSchema>;

/**
 * Both Workers: `off` makes every Cache API tier a no-op (cache/edge-cache.ts), as a
 * deploy on a workers.dev address behaves; `on` uses it where it works.
 */
export const CacheSettingsShape = {
  CACHE_API: z.enum(['on', 'off']).default('on'),
};

/** Logging settings both Workers read. */
export const LogSettingsShape = {
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  DEBUG: booleanFlag.default(false),
};

/** Names of settings whose values must never appear in a response or a log. */
export const SECRET_SETTINGS = ['STREAM_SIGNING_KEY', 'ADMIN_API_KEY', 'MONGO_DATA_API_KEY', 'TELEGRAM_BOT_TOKEN', 'RELAY_SECRET', 'YOUTUBE_COOKIES', 'KEY_PROOF_SECRET', 'KEY_PROOF_PREVIOUS_SECRET', 'TRUSTED_PROXY_SECRET', 'MONGODB_URI'] as const;

/**
 * The values a logger must mask: each secret setting's value and, for YOUTUBE_COOKIES, each
 * cookie's value too (a log line would carry one cookie, never the whole file).
 */
export function secretSettingValues(env: Partial<Record<string, unknown>>): string[] {
  const values = SECRET_SETTINGS.map((name) => env[name]).filter((value): value is string => typeof value === 'string' && value !== '');
  const cookies = env.YOUTUBE_COOKIES;
  if (typeof cookies === 'string') values.push(...(parseYouTubeCookies(cookies)?.values ?? []));
  // The connection string's password on its own too: a driver message could quote it apart from the string.
  const password = typeof env.MONGODB_URI === 'string' ? /^mongodb(?:\+srv)?:\/\/[^:@/]*:([^@/]+)@/.exec(env.MONGODB_URI)?.[1] : undefined;
  if (password) values.push(password, safeDecode(password));
  return [...new Set(values)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The secret settings' values in an env, as given and as they look inside a URL: what logs must mask. */
export function secretValuesOf(env: object): string[] {
  // Asked for by every request's logger and request log: computed once per env, as the config is.
  const known = secretsByEnv.get(env);
  if (known) return known;
  const values = env as Record<string, unknown>;
  const given = secretSettingValues(values);
  const secrets = [...new Set(given.flatMap((value) => [value, encodeURIComponent(value)]))];
  secretsByEnv.set(env, secrets);
  return secrets;
}

const secretsByEnv = new WeakMap<object, string[]>();

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
