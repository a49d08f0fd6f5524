import { AppError } from '../errors';
import { base64url, fromBase64url } from './token';

/**
 * Rewrites an HLS playlist so that every URI in it (variant playlists,
 * segments, keys, maps) passes through this service: googlevideo's URLs are
 * locked to the IP that resolved them, so a client could not fetch them itself.
 *
 * Each rewritten URI carries an HMAC of (stream token, target URL) under
 * STREAM_SIGNING_KEY: `/stream/<token>/hls/<url>.<mac>`. The relay fetches
 * only URIs this service wrote, for the token it wrote them under, so an HLS
 * link cannot be turned into a fetcher of arbitrary URLs.
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

export async function rewritePlaylist(playlist: string, playlistUrl: string, links: HlsLinks): Promise<string> {
  const lines = playlist.split(/\r?\n/);
  const uris = new Map<string, Promise<string>>();
  const proxiedUri = (uri: string) => {
    let proxied = uris.get(uri);
    if (!proxied) {
      const absolute = URL.parse(uri, playlistUrl);
      // A URI that is not a URL is dropped, never passed through as written.
      if (absolute) absolute.hash = links.userAgent ? new URLSearchParams({ ua: links.userAgent }).toString() : '';
      proxied = absolute ? proxiedUrl(absolute.toString(), links) : Promise.resolve('');
      uris.set(uri, proxied);
    }
    return proxied;
  };
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) for (const match of line.matchAll(/URI="([^"]+)"/g)) void proxiedUri(match[1]!);
    else void proxiedUri(trimmed);
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

async function proxiedUrl(absolute: string, links: HlsLinks): Promise<string> {
  const mac = await macOf(links.secret, links.token, absolute);
  return `${links.proxyBase}/${base64url(encoder.encode(absolute))}.${base64url(mac)}`;
}

/** The URL a rewritten URI names, or null unless its HMAC is this service's for this token. */
export async function verifyProxiedUrl(segment: string, token: string, secret: string): Promise<URL | null> {
  const [encoded, mac, extra] = segment.split('.');
  if (!encoded || !mac || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(encoded + mac)) return null;
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
