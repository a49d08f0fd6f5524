import { z } from 'zod';
import type { OutboundFetch } from '../outbound/http';

/**
 * Is the PO token provider (bgutil protocol) answering? `GET {url}/ping`
 * answers `{server_uptime, version}`. A stand-in until the provider client
 * of issue 10 §3 offers its own ping.
 */
const PingSchema = z.object({ server_uptime: z.number(), version: z.string() });
const PROBE_TIMEOUT_MS = 3_000;

export async function probePoTokenProvider(fetch: OutboundFetch, url: string | undefined): Promise<{ configured: boolean; reachable: boolean }> {
  if (!url) return { configured: false, reachable: false };
  try {
    const response = await fetch(`${url}/ping`, { label: 'po_token.ping', timeoutMs: PROBE_TIMEOUT_MS });
    const body: unknown = response.ok ? await response.json().catch(() => null) : (await response.body?.cancel(), null);
    return { configured: true, reachable: PingSchema.safeParse(body).success };
  } catch {
    return { configured: true, reachable: false };
  }
}
