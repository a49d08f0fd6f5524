import { DurableObject } from 'cloudflare:workers';

/**
 * The emergency brake for stream links (`POST /admin/stream-links/revoke-before`):
 * one object holds a cut-off time, and every link minted before it is refused.
 * Links carry no id a list could name, and those minted with the bootstrap
 * key or with keys off belong to no key whose revocation would stop them;
 * without this, only rotating STREAM_SIGNING_KEY would.
 *
 * A link's mint time is its expiry minus STREAM_TOKEN_TTL_SECONDS. Each
 * isolate keeps the cut-off for CUTOFF_CACHE_MS, so a revocation reaches
 * every isolate within that time without a call per stream request.
 */
export const CUTOFF_CACHE_MS = 30_000;
const OBJECT_NAME = 'stream-links';

export class StreamLinkRevocations extends DurableObject<Record<string, unknown>> {
  /** Moves the cut-off forward (never back); returns the one in force. */
  async revokeBefore(epochSeconds: number): Promise<number> {
    const current = (await this.ctx.storage.get<number>('cutoff')) ?? 0;
    const next = Math.max(current, Math.floor(epochSeconds));
    if (next !== current) await this.ctx.storage.put('cutoff', next);
    return next;
  }

  /** Epoch seconds; 0 when nothing was ever revoked. */
  async cutoff(): Promise<number> {
    return (await this.ctx.storage.get<number>('cutoff')) ?? 0;
  }
}

const cached = new WeakMap<object, { cutoff: number; until: number }>();

/** The cut-off in force, from this isolate's copy while it is fresh; 0 without the binding. */
export async function revocationCutoff(namespace: DurableObjectNamespace<StreamLinkRevocations> | undefined, nowMs = Date.now()): Promise<number> {
  if (!namespace) return 0;
  const known = cached.get(namespace);
  if (known && known.until > nowMs) return known.cutoff;
  try {
    const cutoff = await namespace.getByName(OBJECT_NAME).cutoff();
    cached.set(namespace, { cutoff, until: nowMs + CUTOFF_CACHE_MS });
    return cutoff;
  } catch (error) {
    // The object unreachable: the last known cut-off keeps applying; links are not all refused.
    if (known) return known.cutoff;
    throw error;
  }
}

export async function revokeLinksBefore(namespace: DurableObjectNamespace<StreamLinkRevocations>, epochSeconds: number): Promise<number> {
  const cutoff = await namespace.getByName(OBJECT_NAME).revokeBefore(epochSeconds);
  cached.set(namespace, { cutoff, until: Date.now() + CUTOFF_CACHE_MS });
  return cutoff;
}
