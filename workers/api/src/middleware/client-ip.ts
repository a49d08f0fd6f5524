import type { Context } from 'hono';
import type { AppEnv } from '../env';

/** The caller's IP: Cloudflare's CF-Connecting-IP; X-Forwarded-For only when TRUST_FORWARDED_FOR says so. */
export function clientIp(c: Context<AppEnv>): string {
  if (c.get('config')?.TRUST_FORWARDED_FOR) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return c.req.header('CF-Connecting-IP') ?? 'unknown';
}
