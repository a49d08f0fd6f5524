/**
 * `UPSTREAM_ORIGINS` routing: a request whose host matches an entry (exact
 * hostname, or `*.suffix` for any subdomain) is sent to the mapped origin
 * instead, with path and query kept.
 */
export type UpstreamOrigins = Record<string, string>;

export function findUpstreamOrigin(hostname: string, origins: UpstreamOrigins): string | undefined {
  const host = hostname.toLowerCase();
  const exact = origins[host];
  if (exact) return exact;
  let best: { suffix: string; origin: string } | undefined;
  for (const [pattern, origin] of Object.entries(origins)) {
    if (!pattern.startsWith('*.')) continue;
    const suffix = pattern.slice(1).toLowerCase();
    if (host.endsWith(suffix) && (!best || suffix.length > best.suffix.length)) best = { suffix, origin };
  }
  return best?.origin;
}

export function rerouteUrl(url: URL, origins: UpstreamOrigins): { url: URL; forwardedHost?: string } {
  const origin = findUpstreamOrigin(url.hostname, origins);
  if (!origin) return { url };
  const rerouted = new URL(url.pathname + url.search, origin);
  return { url: rerouted, forwardedHost: url.host };
}
