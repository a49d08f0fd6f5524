import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { clientIp } from './client-ip';

/**
 * Requests per minute with Workers' Rate Limiting bindings (60-second
 * windows). A request made with a key is counted against that key
 * (KEY_RATE_LIMITER, KEY_RATE_LIMIT_PER_MINUTE): a bot server calls from one
 * IP for all its listeners. Everything else — no key, keys switched off, the
 * bootstrap ADMIN_API_KEY, a key that was refused — is counted per client IP
 * (IP_RATE_LIMITER, RATE_LIMIT_PER_MINUTE). The limits themselves are set in
 * wrangler.toml (`npm start` writes the settings there); 0 turns one off.
 *
 * The middleware runs after the key check, so it knows the key; a refused
 * key never reaches it and is counted per IP by `limitIp` where it is refused.
 */
export interface RateLimitOptions {
  /** Whether this request counts (default: always): a file read in byte ranges counts its first byte's request only. */
  counts?: (c: Context<AppEnv>) => boolean;
}

export function rateLimit(options: RateLimitOptions = {}) {
  return createMiddleware<AppEnv>(async function rateLimit(c, next) {
    if (options.counts && !options.counts(c)) return next();
    await limitCaller(c);
    await next();
  });
}

/** The request's key when it has one (c.get('principal')), else its IP. */
export async function limitCaller(c: Context<AppEnv>): Promise<void> {
  const principal = c.get('principal');
  if (principal?.kind === 'key' && principal.keyId) await limitKey(c, principal.keyId);
  else await limitIp(c);
}

export async function limitIp(c: Context<AppEnv>): Promise<void> {
  const limiter = c.env.IP_RATE_LIMITER;
  if (!limiter || c.get('config').RATE_LIMIT_PER_MINUTE === 0) return;
  const { success } = await limiter.limit({ key: clientIp(c) });
  if (!success) throw new AppError('rate.limited', 'Too many requests from this address; slow down.', { headers: { 'Retry-After': '60' } });
}

export async function limitKey(c: Context<AppEnv>, keyId: string): Promise<void> {
  const limiter = c.env.KEY_RATE_LIMITER;
  if (!limiter || c.get('config').KEY_RATE_LIMIT_PER_MINUTE === 0) return;
  const { success } = await limiter.limit({ key: `key:${keyId}` });
  if (!success) throw new AppError('rate.limited', 'Too many requests with this key this minute; slow down.', { headers: { 'Retry-After': '60' } });
}

/** Counts a refused request against its IP, then refuses it: guessing keys or links is limited per address. */
export async function refuseCountingIp(c: Context<AppEnv>, error: unknown): Promise<never> {
  await limitIp(c);
  throw error;
}
