import type { Context } from 'hono';
import type { AppEnv } from '../env';

/**
 * The caller's IP: Cloudflare's CF-Connecting-IP, or with TRUST_FORWARDED_FOR
 * the X-Forwarded-For entry that the trusted proxy appended. A client writes
 * whatever it likes on the left of that header, so entries are counted from
 * the right: TRUSTED_PROXY_HOPS proxies of yours each append one. Cloudflare
 * itself appends the address of the proxy in front of it (which is then
 * CF-Connecting-IP); that entry is skipped. A header with fewer entries than
 * that did not pass your proxies, and an entry that is not an IP is refused:
 * both fall back to CF-Connecting-IP.
 */
const IP_SHAPE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:.]{2,45})$/i;

export function clientIp(c: Context<AppEnv>): string {
  const connecting = c.req.header('CF-Connecting-IP')?.trim() || 'unknown';
  const config = c.get('config');
  if (!config?.TRUST_FORWARDED_FOR) return connecting;
  return forwardedClientIp(c.req.header('X-Forwarded-For'), connecting, config.TRUSTED_PROXY_HOPS) ?? connecting;
}

export function forwardedClientIp(header: string | undefined, connecting: string, hops: number): string | null {
  const entries = (header ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length > 1 && entries[entries.length - 1] === connecting) entries.pop();
  const entry = entries[entries.length - hops];
  return entry && IP_SHAPE.test(entry) ? entry : null;
}
