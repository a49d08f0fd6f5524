import { AppError } from '../errors';
import type { YouTubeClientName } from '../settings';
import type { DecipherInput } from './cipher-solver';
import type { PlayerCipher } from './player-cipher';
import type { StreamFormat } from './types';

/**
 * Turns the chosen formats' `signatureCipher` and `n` into playable URLs, all
 * in one evaluation. A URL whose `n` is left as it came is throttled or
 * refused by googlevideo, so a format that cannot be fully deciphered fails
 * the whole client (youtube.decipher_failed) rather than being handed out.
 */
export async function decipherFormats(
  formats: StreamFormat[],
  cipher: PlayerCipher | null | (() => Promise<PlayerCipher>),
  client: YouTubeClientName,
): Promise<StreamFormat[]> {
  const pending = formats.filter((format) => format.needsDecipher);
  if (pending.length === 0) return formats;
  const player = typeof cipher === 'function' ? await cipher() : cipher;
  if (!player) throw failed(client, 'no player');
  let parts: ReturnType<typeof partsOf>[];
  try {
    parts = pending.map(partsOf);
  } catch (error) {
    throw failed(client, 'url', player.playerId, error);
  }
  const inputs: DecipherInput[] = parts.map(({ url, s }) => ({ ...(s ? { s } : {}), ...(url.searchParams.get('n') ? { n: url.searchParams.get('n')! } : {}) }));
  let outputs;
  try {
    outputs = player.decipher(inputs);
  } catch (error) {
    throw failed(client, 'evaluation', player.playerId, error);
  }
  const done = new Map<StreamFormat, string>();
  pending.forEach((format, index) => {
    const { url, s, sp } = parts[index]!;
    const input = inputs[index]!;
    const output = outputs[index]!;
    if (s) {
      if (typeof output.sig !== 'string' || output.sig === '' || output.sig === s) throw failed(client, 'signature', player.playerId);
      url.searchParams.set(sp, output.sig);
    }
    if (input.n) {
      const n = output.n;
      if (typeof n !== 'string' || n === '' || n.startsWith('enhanced_except_') || n.endsWith(input.n)) throw failed(client, 'n', player.playerId);
      url.searchParams.set('n', n);
    }
    done.set(format, url.toString());
  });
  return formats.map((format) => {
    const url = done.get(format);
    if (url === undefined) return format;
    const { signatureCipher: _cipher, ...rest } = format;
    return { ...rest, url, needsDecipher: false };
  });
}

// The player reads and replaces a manifest's `n` challenge as a path segment (yt-dlp's get_manifest_n_challenge).
const MANIFEST_N = /\/n\/([^/]+)\//;

/**
 * A manifest URL (HLS, DASH) of a ciphered or token client carries its `n` as
 * a `/n/<value>/` path segment: left as it came, googlevideo throttles or
 * refuses the playlist and its segments, so it is deciphered like a format's.
 */
export async function decipherManifestUrl(
  manifestUrl: string,
  cipher: PlayerCipher | null | (() => Promise<PlayerCipher>),
  client: YouTubeClientName,
): Promise<string> {
  // Most manifests (every plain client's) carry no `/n/` segment: a text test spares each resolve a parse of a
  // long URL. (Backslashes, tabs and line breaks are what the URL parser could turn into such a segment.)
  if (!manifestUrl.includes('/n/') && !/[\\\t\n\r]/.test(manifestUrl)) return manifestUrl;
  let url: URL;
  try {
    url = new URL(manifestUrl);
  } catch {
    return manifestUrl;
  }
  const challenge = MANIFEST_N.exec(url.pathname)?.[1];
  if (!challenge) return manifestUrl;
  const player = typeof cipher === 'function' ? await cipher() : cipher;
  if (!player) throw failed(client, 'no player');
  const input = decodeURIComponent(challenge);
  let n: string | undefined;
  try {
    n = player.decipher([{ n: input }])[0]?.n;
  } catch (error) {
    throw failed(client, 'manifest evaluation', player.playerId, error);
  }
  if (typeof n !== 'string' || n === '' || n.startsWith('enhanced_except_') || n.endsWith(input)) throw failed(client, 'manifest n', player.playerId);
  url.pathname = url.pathname.replace(MANIFEST_N, `/n/${encodeURIComponent(n)}/`);
  return url.toString();
}

/** Adds a GVS PO token to a googlevideo URL (`pot`), as the web clients' URLs need. */
export function withPoToken(format: StreamFormat, poToken: string): StreamFormat {
  try {
    const url = new URL(format.url);
    if (url.searchParams.get('sabr') === '1') return format;
    url.searchParams.set('pot', poToken);
    return { ...format, url: url.toString() };
  } catch {
    return format;
  }
}

/** Adds a GVS PO token to an HLS manifest URL, as a path segment (`/pot/<token>`), as yt-dlp does. */
export function manifestWithPoToken(manifestUrl: string, poToken: string): string {
  try {
    const url = new URL(manifestUrl);
    if (/\/pot\//.test(url.pathname)) return manifestUrl;
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/pot/${encodeURIComponent(poToken)}`;
    return url.toString();
  } catch {
    return manifestUrl;
  }
}

function partsOf(format: StreamFormat): { url: URL; s?: string; sp: string } {
  if (!format.signatureCipher) return { url: new URL(format.url), sp: 'signature' };
  const cipher = new URLSearchParams(format.signatureCipher);
  const url = new URL(cipher.get('url') ?? format.url);
  return { url, s: cipher.get('s') ?? undefined, sp: cipher.get('sp') ?? 'signature' };
}

function failed(client: YouTubeClientName, step: string, playerId?: string, error?: unknown): AppError {
  return new AppError('youtube.decipher_failed', `The ${client} client's stream URLs could not be deciphered.`, { logDetails: { client, step, playerId, error }, cause: error });
}
