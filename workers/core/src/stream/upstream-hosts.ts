import { getDomain } from 'tldts';
import type { OutboundFetch } from '../outbound/http';
import type { FallbackInstance } from '../settings';

/**
 * The hosts media may be fetched from: `*.googlevideo.com`, and the configured
 * fallback instances. Anything else is refused, so a crafted URL (or a
 * redirect, see the outbound module's `allowUrl`) can never make a Worker
 * fetch an internal or third-party address.
 *
 * A Piped instance serves its media from a sibling host (`pipedproxy.x` next
 * to `pipedapi.x`): that one suffix rule takes the registrable domain from the
 * public-suffix list (private section included), so an instance on
 * `a.workers.dev`, `b.github.io` or `c.co.uk` allows its own tenant only,
 * never the whole suffix. Invidious instances match exactly.
 */
export function isAllowedStreamHost(url: URL, fallbacks: readonly FallbackInstance[]): boolean {
  if (url.protocol !== 'https:' || url.username || url.password || (url.port && url.port !== '443')) return false;
  const host = url.hostname.toLowerCase();
  if (host.endsWith('.googlevideo.com')) return true;
  return fallbacks.some((instance) => isInstanceHost(host, instance));
}

/** The instance's own host, or for Piped a host of the same registrable domain. */
export function isInstanceHost(hostname: string, instance: FallbackInstance): boolean {
  const host = hostname.toLowerCase();
  const own = new URL(instance.url).hostname.toLowerCase();
  if (host === own) return true;
  if (instance.type !== 'piped') return false;
  const site = registrableDomain(own);
  return site !== null && registrableDomain(host) === site;
}

/** A fallback instance's API call may follow redirects within that instance (its own scheme, or https). */
export function isInstanceUrl(url: URL, instance: FallbackInstance): boolean {
  const own = new URL(instance.url);
  if (url.username || url.password) return false;
  if (url.hostname.toLowerCase() !== own.hostname.toLowerCase()) return false;
  if (url.protocol === own.protocol) return url.port === own.port;
  return url.protocol === 'https:' && url.port === '';
}

function registrableDomain(host: string): string | null {
  return getDomain(host, { allowPrivateDomains: true, validateHostname: true });
}

/** The outbound door restricted to media hosts: every redirect hop is checked too. */
export function mediaFetch(fetch: OutboundFetch, fallbacks: readonly FallbackInstance[]): OutboundFetch {
  const allowUrl = (url: URL) => isAllowedStreamHost(url, fallbacks);
  return (input, init = {}) => fetch(input, { ...init, allowUrl });
}
