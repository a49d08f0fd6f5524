import type { FallbackInstance } from '../settings';

/**
 * The hosts `/stream` may fetch from: googlevideo, and the configured fallback
 * instances with their sibling hosts (Piped serves media from `pipedproxy.*`
 * next to `pipedapi.*`). Anything else is refused, so a crafted URL can never
 * make the Worker fetch an internal or third-party address.
 */
export function isAllowedStreamHost(url: URL, fallbacks: readonly FallbackInstance[]): boolean {
  if (url.protocol !== 'https:' || url.username || url.password || (url.port && url.port !== '443')) return false;
  const host = url.hostname.toLowerCase();
  if (host === 'googlevideo.com' || host.endsWith('.googlevideo.com')) return true;
  return fallbacks.some((instance) => {
    const allowed = new URL(instance.url).hostname.toLowerCase();
    return host === allowed || registrableDomain(host) === registrableDomain(allowed);
  });
}

function registrableDomain(host: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':')) return host;
  return host.split('.').slice(-2).join('.');
}
