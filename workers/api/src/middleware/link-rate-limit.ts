import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { clientIp } from './client-ip';

/**
 * Every request of a link — a stream token (/stream, /file, Shruti's
 * /stream/<id>, an HLS playlist or segment) or a Shruti /download read —
 * proxies bytes, so none passes free: each counts per link
 * (LINK_RATE_LIMITER, LINK_RATE_LIMIT_PER_MINUTE) and per client IP
 * (LINK_IP_RATE_LIMITER, LINK_IP_RATE_LIMIT_PER_MINUTE), limits set well above
 * what a player's range reads or an HLS player's segments need. A link is a
 * bearer credential that ends up in chats: the per-link limit holds however
 * many addresses share it, the per-IP one however many links one address holds.
 */
export async function limitLink(c: Context<AppEnv>, linkId: string): Promise<void> {
  const config = c.get('config');
  const perLink = c.env.LINK_RATE_LIMITER;
  if (perLink && config.LINK_RATE_LIMIT_PER_MINUTE > 0 && !(await perLink.limit({ key: `link:${linkId}` })).success) {
    throw new AppError('rate.limited', 'Too many requests of this link this minute; slow down.', { headers: { 'Retry-After': '60' } });
  }
  const perIp = c.env.LINK_IP_RATE_LIMITER;
  if (perIp && config.LINK_IP_RATE_LIMIT_PER_MINUTE > 0 && !(await perIp.limit({ key: `ip:${clientIp(c)}` })).success) {
    throw new AppError('rate.limited', 'Too many link requests from this address this minute; slow down.', { headers: { 'Retry-After': '60' } });
  }
}

/** For a route whose link is not a token (Shruti's /download: the read of one track by one key). */
export function linkRateLimit(linkOf: (c: Context<AppEnv>) => Promise<{ id: string }>) {
  return createMiddleware<AppEnv>(async function linkRateLimit(c, next) {
    await limitLink(c, (await linkOf(c)).id);
    await next();
  });
}
