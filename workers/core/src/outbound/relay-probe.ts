import { z } from 'zod';
import type { OutboundFetch } from './http';
import { RELAY_PING_PATH } from './relay-hosts';
import { findUpstreamOrigin, type UpstreamOrigins } from './upstream-origins';

/**
 * Is the egress relay there? Its ping goes the way YouTube's requests go
 * (a YouTube host that UPSTREAM_ORIGINS reroutes, with the secret), so
 * "reachable" means the route, the relay and the secret all work. The relay
 * counts as configured with RELAY_SECRET set and a YouTube host rerouted.
 */
const RelayPingSchema = z.object({ ok: z.literal(true) });
const PROBE_TIMEOUT_MS = 3_000;
const PROBE_HOSTS = ['www.youtube.com', 'youtubei.googleapis.com', 'music.youtube.com', 'm.youtube.com', 'rr1---sn-relay.googlevideo.com'];

export async function probeRelay(
  fetch: OutboundFetch,
  settings: { RELAY_SECRET?: string | undefined; UPSTREAM_ORIGINS: UpstreamOrigins },
): Promise<{ configured: boolean; reachable: boolean }> {
  const host = PROBE_HOSTS.find((candidate) => findUpstreamOrigin(candidate, settings.UPSTREAM_ORIGINS));
  if (!settings.RELAY_SECRET || !host) return { configured: false, reachable: false };
  try {
    const response = await fetch(`https://${host}${RELAY_PING_PATH}`, { label: 'relay.ping', timeoutMs: PROBE_TIMEOUT_MS, redirect: 'manual' });
    const body: unknown = response.ok ? await response.json().catch(() => null) : (await response.body?.cancel(), null);
    return { configured: true, reachable: RelayPingSchema.safeParse(body).success };
  } catch {
    return { configured: true, reachable: false };
  }
}
