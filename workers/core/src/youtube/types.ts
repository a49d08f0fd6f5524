import type { YouTubeClientName } from '../settings';

/** What the service knows about a video once it is resolved, whatever upstream answered. */
export type MediaType = 'audio' | 'video';

/**
 * The InnerTube client that minted a video's URLs, and the User-Agent its player
 * request went out with: googlevideo refuses a URL fetched as anyone else (media-headers.ts).
 * Kept as sent, not looked up later: a client table override may have changed the UA since.
 */
export interface FetchAs {
  client: YouTubeClientName;
  userAgent: string;
}

export interface StreamFormat {
  itag: number;
  url: string;
  mime: string;
  bitrate: number;
  size: number | null;
  hasAudio: boolean;
  hasVideo: boolean;
  /** Set when the URL still needs deciphering (a signatureCipher, or an `n` parameter). */
  needsDecipher?: boolean;
  signatureCipher?: string;
}

export interface ResolvedVideo {
  id: string;
  title: string;
  duration: number;
  channel: string;
  views: number;
  thumbnail: string;
  isLive: boolean;
  /** Where the formats came from: `youtube:VISIONOS`, `invidious:https://…`, … */
  source: string;
  formats: StreamFormat[];
  hlsManifestUrl: string | null;
  /** Epoch seconds after which the stream URLs stop working. */
  expiresAt: number;
  /** Epoch ms the player answer that minted these URLs was made (kept by the metadata cache): client health tells old URLs from fresh ones. */
  resolvedAt?: number;
  /** Set when an InnerTube client minted the URLs (never for the fallback instances). */
  fetchAs?: FetchAs;
}
