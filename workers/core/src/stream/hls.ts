import { base64url, fromBase64url } from './token';

/**
 * Rewrites an HLS playlist so that every URI in it (variant playlists,
 * segments, keys, maps) passes through this service: googlevideo's URLs are
 * locked to the IP that resolved them, so a client could not fetch them itself.
 */
export function rewritePlaylist(playlist: string, playlistUrl: string, proxyBase: string): string {
  return playlist
    .split(/\r?\n/)
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#')) {
        return line.replace(/URI="([^"]+)"/g, (_match, uri: string) => `URI="${proxied(uri, playlistUrl, proxyBase)}"`);
      }
      return proxied(trimmed, playlistUrl, proxyBase);
    })
    .join('\n');
}

function proxied(uri: string, playlistUrl: string, proxyBase: string): string {
  const absolute = new URL(uri, playlistUrl).toString();
  return `${proxyBase}/${base64url(new TextEncoder().encode(absolute))}`;
}

export function decodeProxiedUrl(encoded: string): URL | null {
  try {
    return new URL(new TextDecoder().decode(fromBase64url(encoded)));
  } catch {
    return null;
  }
}

export function isPlaylist(url: URL, contentType: string | null): boolean {
  return /mpegurl/i.test(contentType ?? '') || url.pathname.endsWith('.m3u8');
}
