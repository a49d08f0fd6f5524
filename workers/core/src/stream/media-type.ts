/**
 * Relayed bodies are served from this service's origin, so their type is
 * never the upstream's word: only media types pass (an upstream answering
 * text/html or image/svg+xml must not become a page on our origin), and
 * nosniff keeps browsers from guessing otherwise.
 */
const MEDIA_TYPE = /^(audio|video)\/[a-z0-9][a-z0-9.+-]*$/;
export const HLS_PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

export function mediaType(candidate: string | null | undefined, fallback: string): string {
  const base = candidate?.split(';')[0]!.trim().toLowerCase();
  if (base && MEDIA_TYPE.test(base)) return base;
  return MEDIA_TYPE.test(fallback) || fallback === HLS_PLAYLIST_TYPE ? fallback : 'application/octet-stream';
}

/** Headers every relayed body carries: no sniffing, and no document powers should a browser open it. */
export const RELAY_SAFETY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
};
