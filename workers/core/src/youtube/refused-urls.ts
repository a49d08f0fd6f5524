import type { YouTubeClientName } from '../settings';

/**
 * When googlevideo last refused (403) a URL each client minted, in this isolate.
 * A resolve through a client refused this recently checks its chosen URL with a
 * one-byte range before answering (extractor.ts), so a bot is not handed a link
 * that will not play. Advisory and per isolate: the client health ledger keeps
 * the service-wide record; this only decides whether a probe is worth its round trip.
 */
const RECENT_MS = 10 * 60 * 1000;
const refusedAt = new Map<YouTubeClientName, number>();

export function noteUrlRefused(client: YouTubeClientName, now = Date.now()): void {
  refusedAt.set(client, now);
}

export function urlsRefusedRecently(client: YouTubeClientName, now = Date.now()): boolean {
  const at = refusedAt.get(client);
  return at !== undefined && now - at < RECENT_MS;
}

/** Tests. */
export function forgetUrlRefusals(): void {
  refusedAt.clear();
}
