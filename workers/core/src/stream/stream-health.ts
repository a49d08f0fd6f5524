import type { OutboundFetch } from '../outbound/http';
import type { YouTubeClientName } from '../settings';
import type { ClientHealth } from '../youtube/client-health';
import { CLIENT_PROFILES } from '../youtube/clients';
import { forgetCurrentPlayerId } from '../youtube/current-player';
import { noteUrlRefused } from '../youtube/refused-urls';
import type { ResolvedVideo } from '../youtube/types';

/**
 * googlevideo's answer to a client's URLs counts toward that client's health
 * (issue 10 §5): the first fetch of each URL a client minted is recorded, and
 * a 403 there (googlevideo refusing the client's URLs, as it did ANDROID_VR's
 * in 2026) marks the client, so the re-resolve that follows skips it. A refused
 * ciphered client's URLs may be signed for a player YouTube has since replaced,
 * so that re-resolve also reads the current player id again.
 *
 * Each answer carries when its URL was minted (the resolve's time, kept through the metadata
 * cache), so a cached URL or a later byte range that plays is never taken for the player
 * answering now (issue 18 §5).
 */
export class StreamHealthWatch {
  private readonly pending = new Map<string, { client: YouTubeClientName; mintedAt?: number }>();
  private readonly refusedClients = new Set<YouTubeClientName>();

  constructor(private readonly health: ClientHealth) {}

  /** Notes which client minted this source's URL (from `youtube:<CLIENT>`); instances' URLs are not tracked. */
  track<Source extends { url: string }>(source: Source, video: Pick<ResolvedVideo, 'source' | 'resolvedAt'>): Source {
    const client = clientOf(video);
    const key = withoutRange(source.url);
    if (client && key) this.pending.set(key, { client, mintedAt: video.resolvedAt });
    return source;
  }

  /** Clients whose URLs googlevideo refused during this request. */
  get refused(): YouTubeClientName[] {
    return [...this.refusedClients];
  }

  wrap(fetch: OutboundFetch): OutboundFetch {
    return async (input, init) => {
      const key = withoutRange(input instanceof Request ? input.url : input.toString());
      const minted = key ? this.pending.get(key) : undefined;
      if (!minted) return fetch(input, init);
      const { client, mintedAt } = minted;
      this.pending.delete(key!);
      const started = Date.now();
      // A network failure says nothing about the client: only googlevideo's own answers count.
      const response = await fetch(input, init);
      const latencyMs = Date.now() - started;
      if (response.ok) this.health.record({ client, phase: 'stream', code: 'ok', latencyMs, mintedAt });
      else if (response.status === 403) this.refuse(client, latencyMs, mintedAt);
      return response;
    };
  }

  /**
   * An HLS route: the manifest, the variant playlists and the segments are all URLs of the client
   * that minted the manifest, so googlevideo refusing any of them (403) refuses the client — the
   * walk then skips it. Only the route's first answer counts as a success.
   */
  wrapRoute(fetch: OutboundFetch, video: Pick<ResolvedVideo, 'source' | 'resolvedAt'>): OutboundFetch {
    const client = clientOf(video);
    if (!client) return fetch;
    let answered = false;
    return async (input, init) => {
      const started = Date.now();
      const response = await fetch(input, init);
      const latencyMs = Date.now() - started;
      if (response.status === 403 && !this.refusedClients.has(client)) this.refuse(client, latencyMs, video.resolvedAt);
      else if (response.ok && !answered) this.health.record({ client, phase: 'stream', code: 'ok', latencyMs, mintedAt: video.resolvedAt });
      answered = true;
      return response;
    };
  }

  private refuse(client: YouTubeClientName, latencyMs: number, mintedAt: number | undefined): void {
    this.refusedClients.add(client);
    noteUrlRefused(client);
    if (CLIENT_PROFILES[client]?.ciphered) forgetCurrentPlayerId();
    this.health.record({ client, phase: 'stream', code: 'googlevideo.forbidden', latencyMs, mintedAt });
  }
}

function clientOf(video: Pick<ResolvedVideo, 'source'>): YouTubeClientName | undefined {
  return /^youtube:([A-Z_]+)$/.exec(video.source)?.[1] as YouTubeClientName | undefined;
}

/** The URL without the `range` parameter the chunked proxy adds, serialised one way. */
function withoutRange(url: string): string | null {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete('range');
    return parsed.toString();
  } catch {
    return null;
  }
}
