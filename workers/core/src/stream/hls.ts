import { AppError } from '../errors';
import { base64url, fromBase64url } from './token';

/**
 * Rewrites an HLS playlist so that every URI in it (variant playlists,
 * segments, keys, maps) passes through this service: googlevideo's URLs are
 * locked to the IP that resolved them, so a client could not fetch them itself.
 *
 * Each rewritten URI carries an HMAC of (stream token, target URL) under
 * STREAM_SIGNING_KEY: `/stream/<token>/hls/<url>.<mac>.<ext>`. The relay fetches
 * only URIs this service wrote, for the token it wrote them under, so an HLS
 * link cannot be turned into a fetcher of arbitrary URLs.
 *
 * The URI ends in the extension of what it names (`.m3u8`, `.ts`, `.m4s`,
 * `.mp4`, `.aac`…): ffmpeg's HLS demuxer (extension_picky, on by default since
 * 5.1.x/6.1) refuses a segment whose URL has no media extension, or one that
 * does not match the format it finds in it. The extension is not signed: it
 * names nothing the relay fetches. URIs written before it (`<url>.<mac>`) still verify.
 *
 * googlevideo wants every playlist and segment fetched with the User-Agent of the
 * client that minted the manifest, so the signed URL carries it in its fragment
 * (`#ua=…`; a fragment is never sent upstream): the relay of a segment needs no
 * resolve to know whom to fetch it as.
 */
const MAC_BYTES = 16;
/** Playlists are read whole to be rewritten; anything bigger is not a playlist we relay. */
export const PLAYLIST_MAX_BYTES = 4 * 1024 * 1024;

const encoder = new TextEncoder();
const macKeys = new Map<string, Promise<CryptoKey>>();

function macKey(secret: string): Promise<CryptoKey> {
  let key = macKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    macKeys.set(secret, key);
  }
  return key;
}

async function macOf(secret: string, token: string, url: string): Promise<Uint8Array> {
  // The "hls" prefix and newlines keep these messages apart from token payloads (base64url, no newline).
  const message = encoder.encode(`hls\n${token}\n${url}`);
  const full = new Uint8Array(await crypto.subtle.sign('HMAC', await macKey(secret), message));
  return full.slice(0, MAC_BYTES);
}

export interface HlsLinks {
  /** Where rewritten URIs point: `<origin>/stream/<token>/hls`. */
  proxyBase: string;
  token: string;
  secret: string;
  /** The User-Agent the playlist was fetched with, and its URIs must be. */
  userAgent?: string;
}

/** What a URI in a playlist names, by where it stands: its extension when its own path carries none we know. */
type UriRole = 'playlist' | 'segment' | 'init' | 'key';
const ROLE_EXTENSIONS: Record<UriRole, string> = { playlist: 'm3u8', segment: 'ts', init: 'mp4', key: 'key' };
/** ffmpeg's allowed_segment_extensions, with the playlists' and keys' own. */
const KNOWN_EXTENSIONS = new Set(['m3u8', 'm3u', 'ts', 'm2t', 'm2ts', 'mts', 'm4s', 'mp4', 'm4a', 'm4v', 'aac', 'ac3', 'ec3', 'mp3', 'mp2', 'webm', 'vtt', 'webvtt', 'key', 'flac', 'opus', 'ogg', 'oga', 'mkv', 'mov', 'mpg', 'mpeg', 'cmfv', 'cmfa']);
const EXTENSION = /^[a-z0-9]{1,6}$/;

function extensionFor(absolute: URL, role: UriRole): string {
  const name = absolute.pathname.slice(absolute.pathname.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const own = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (own && KNOWN_EXTENSIONS.has(own)) return own;
  return ROLE_EXTENSIONS[role];
}

function tagRole(line: string): UriRole {
  if (line.startsWith('#EXT-X-MAP')) return 'init';
  if (line.startsWith('#EXT-X-KEY') || line.startsWith('#EXT-X-SESSION-KEY')) return 'key';
  // EXT-X-MEDIA and EXT-X-I-FRAME-STREAM-INF name renditions' playlists.
  return 'playlist';
}

export async function rewritePlaylist(playlist: string, playlistUrl: string, links: HlsLinks): Promise<string> {
  const lines = playlist.split(/\r?\n/);
  const uris = new Map<string, Promise<string>>();
  const proxiedUri = (uri: string, role: UriRole) => {
    let proxied = uris.get(uri);
    if (!proxied) {
      const absolute = URL.parse(uri, playlistUrl);
      // A URI that is not a URL is dropped, never passed through as written.
      if (absolute) absolute.hash = links.userAgent ? new URLSearchParams({ ua: links.userAgent }).toString() : '';
      proxied = absolute ? proxiedUrl(absolute, extensionFor(absolute, role), links) : Promise.resolve('');
      uris.set(uri, proxied);
    }
    return proxied;
  };
  // A URI line after EXT-X-STREAM-INF names a variant playlist; any other, a segment.
  let nextRole: UriRole = 'segment';
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      for (const match of line.matchAll(/URI="([^"]+)"/g)) void proxiedUri(match[1]!, tagRole(trimmed));
      if (trimmed.startsWith('#EXT-X-STREAM-INF')) nextRole = 'playlist';
    } else {
      void proxiedUri(trimmed, nextRole);
      nextRole = 'segment';
    }
  }
  const signed = new Map<string, string>();
  await Promise.all([...uris].map(async ([uri, proxied]) => signed.set(uri, await proxied)));
  return lines
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#')) return line.replace(/URI="([^"]+)"/g, (_match, uri: string) => `URI="${signed.get(uri)}"`);
      return signed.get(trimmed)!;
    })
    .join('\n');
}

async function proxiedUrl(absolute: URL, extension: string, links: HlsLinks): Promise<string> {
  const url = absolute.toString();
  const mac = await macOf(links.secret, links.token, url);
  return `${links.proxyBase}/${base64url(encoder.encode(url))}.${base64url(mac)}.${extension}`;
}

/** The URL a rewritten URI names, or null unless its HMAC is this service's for this token. */
export async function verifyProxiedUrl(segment: string, token: string, secret: string): Promise<URL | null> {
  const [encoded, mac, extension, extra] = segment.split('.');
  if (!encoded || !mac || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(encoded + mac)) return null;
  if (extension !== undefined && !EXTENSION.test(extension)) return null;
  try {
    const absolute = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(fromBase64url(encoded));
    const presented = fromBase64url(mac);
    const expected = await macOf(secret, token, absolute);
    if (presented.byteLength !== expected.byteLength || !crypto.subtle.timingSafeEqual(presented, expected)) return null;
    return new URL(absolute);
  } catch {
    return null;
  }
}

/** A proxied URL's target without its fragment, and the User-Agent the fragment names. */
export function fetchTarget(target: URL): { url: string; userAgent?: string } {
  const userAgent = new URLSearchParams(target.hash.slice(1)).get('ua') ?? undefined;
  const url = new URL(target);
  url.hash = '';
  return { url: url.toString(), ...(userAgent ? { userAgent } : {}) };
}

export function isPlaylist(url: URL, contentType: string | null): boolean {
  return /mpegurl/i.test(contentType ?? '') || url.pathname.endsWith('.m3u8');
}

/** A playlist's text, refused past PLAYLIST_MAX_BYTES before and while reading it. */
export async function readPlaylist(response: Response, maxBytes = PLAYLIST_MAX_BYTES): Promise<string> {
  const tooLarge = () => new AppError('stream.upstream', `The media host sent a playlist over ${maxBytes} bytes.`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
