import { z } from 'zod';
import type { OutboundFetch } from './http';
import { RELAY_PING_PATH } from './relay-hosts';

/**
 * Is the egress relay there? Its ping goes the way YouTube's requests go
 * (www.youtube.com, rerouted by UPSTREAM_ORIGINS, with the secret), so
 * "reachable" means the route, the relay and the secret all work.
 */
const RelayPingSchema = z.object({ ok: z.literal(true) });
const PROBE_TIMEOUT_MS = 3_000;

export async function probeRelay(fetch: OutboundFetch, configured: boolean): Promise<{ configured: boolean; reachable: boolean }> {
  if (!configured) return { configured, reachable: false };
  try {
    const response = await fetch(`https://www.youtube.com${RELAY_PING_PATH}`, { label: 'relay.ping', timeoutMs: PROBE_TIMEOUT_MS, redirect: 'manual' });
    const body: unknown = response.ok ? await response.json().catch(() => null) : (await response.body?.cancel(), null);
    return { configured, reachable: RelayPingSchema.safeParse(body).success };
  } catch {
    return { configured, reachable: false };
  }
}
