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
