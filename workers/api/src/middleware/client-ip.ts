import type { Context } from 'hono';
import type { AppEnv } from '../env';

/**
 * The caller's IP: Cloudflare's CF-Connecting-IP, or with TRUST_FORWARDED_FOR,
 * on a request carrying TRUSTED_PROXY_SECRET in X-Trusted-Proxy-Secret, the
 * X-Forwarded-For entry that the trusted proxy appended. A client writes
 * whatever it likes on the left of that header, so entries are counted from
 * the right: TRUSTED_PROXY_HOPS proxies of yours each append one. Cloudflare
 * itself appends the address of the proxy in front of it (which is then
 * CF-Connecting-IP); that entry is skipped. A header with fewer entries than
 * that did not pass your proxies, and an entry that is not an IP is refused:
 * both fall back to CF-Connecting-IP.
 */
const IP_SHAPE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:.]{2,45})$/i;

/**
 * The header by which the operator's proxy proves a request came through it
 * (TRUSTED_PROXY_SECRET): without it, X-Forwarded-For is whatever a client
 * calling the Worker's own address wrote, and is not read. `X-Proxy-Secret` is taken too.
 */
export const TRUSTED_PROXY_HEADER = 'X-Trusted-Proxy-Secret';

export function clientIp(c: Context<AppEnv>): string {
  const connecting = c.req.header('CF-Connecting-IP')?.trim() || 'unknown';
  const config = c.get('config');
  if (!config?.TRUST_FORWARDED_FOR || !cameThroughProxy(c.req.header(TRUSTED_PROXY_HEADER) ?? c.req.header('X-Proxy-Secret'), config.TRUSTED_PROXY_SECRET)) {
    return connecting;
  }
  return forwardedClientIp(c.req.header('X-Forwarded-For'), connecting, config.TRUSTED_PROXY_HOPS) ?? connecting;
}

/** Compared in constant time over the secret's length; no secret set trusts no request. */
function cameThroughProxy(presented: string | undefined, secret: string | undefined): boolean {
  if (!secret || presented === undefined) return false;
  let difference = presented.length ^ secret.length;
  for (let index = 0; index < secret.length; index += 1) difference |= secret.charCodeAt(index) ^ (presented.charCodeAt(index) || 0);
  return difference === 0;
}

export function forwardedClientIp(header: string | undefined, connecting: string, hops: number): string | null {
  const entries = (header ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length > 1 && entries[entries.length - 1] === connecting) entries.pop();
  const entry = entries[entries.length - hops];
  return entry && IP_SHAPE.test(entry) ? entry : null;
}
