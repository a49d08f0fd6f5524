import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { clientIp } from './client-ip';

/**
 * Per-IP rate limit with Workers' Rate Limiting binding (a 60-second window).
 * The binding's limit is set in wrangler.toml; `npm start` writes
 * RATE_LIMIT_PER_MINUTE into it, and 0 turns the limit off.
 */
export function rateLimit() {
  return createMiddleware<AppEnv>(async function rateLimit(c, next) {
    const limiter = c.env.IP_RATE_LIMITER;
    if (!limiter || c.get('config').RATE_LIMIT_PER_MINUTE === 0) return next();
    const { success } = await limiter.limit({ key: clientIp(c) });
    if (!success) {
      throw new AppError('rate.limited', 'Too many requests from this address; slow down.', { headers: { 'Retry-After': '60' } });
    }
    await next();
  });
}
