/** What the service knows about a video once it is resolved, whatever upstream answered. */
export type MediaType = 'audio' | 'video';

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
}
