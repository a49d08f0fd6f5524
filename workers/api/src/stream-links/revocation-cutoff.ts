import type { StreamLinkRevocations } from './stream-link-revocations';

/**
 * The API side of the stream-link cut-off (the object is in stream-link-revocations.ts):
 * each isolate keeps the cut-off for CUTOFF_CACHE_MS, so a revocation reaches every
 * isolate within that time without a call per stream request.
 */
export const CUTOFF_CACHE_MS = 30_000;
const OBJECT_NAME = 'stream-links';

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
