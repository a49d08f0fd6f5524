import { AppError } from '../errors';
import { openKeyRef, sealKeyRef } from './key-ref';

/**
 * Stream tokens: `<payload>.<signature>`, both base64url. The payload names the
 * video, the format and the delivery, and carries its own expiry, so `/stream`
 * needs no server-side state. HMAC-SHA256 with STREAM_SIGNING_KEY.
 */
export type Delivery = 'direct' | 'hls' | 'telegram';

export interface StreamClaims {
  videoId: string;
  itag: number;
  type: 'audio' | 'video';
  delivery: Delivery;
  /** Epoch seconds. */
  expiresAt: number;
  /**
   * The API key the link was minted for (its hash): revoking the key kills
   * the link. The link itself carries it sealed (key-ref.ts), never readable.
   */
  keyHash: string | null;
  /**
   * Epoch seconds the link was minted, for the emergency cut-off: every link
   * the service mints carries it (media/resolve-track.ts), so revoke-before never
   * depends on the TTL setting. Links minted before it was carried have none:
   * for them it is `expiresAt` − STREAM_TOKEN_TTL_SECONDS.
   */
  issuedAt?: number;
}

const keys = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

export function base64url(bytes: Uint8Array): string {
  // Each link's payload and signature (a few dozen bytes): one call, not a string grown byte by byte.
  const binary = bytes.length <= 4096 ? String.fromCharCode.apply(null, bytes as unknown as number[]) : Array.from(bytes, (byte) => String.fromCharCode(byte)).join('');
  const padded = btoa(binary);
  // Padding is at most two '=' at the end: cut by length rather than a third regular expression.
  const end = padded.endsWith('==') ? padded.length - 2 : padded.endsWith('=') ? padded.length - 1 : padded.length;
  return padded.slice(0, end).replaceAll('+', '-').replaceAll('/', '_');
}

export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

const DELIVERY_CODES: Record<Delivery, string> = { direct: 'd', hls: 'h', telegram: 't' };

export async function signStreamToken(claims: StreamClaims, secret: string): Promise<string> {
  const compact = [claims.videoId, claims.itag, claims.type === 'audio' ? 'a' : 'v', DELIVERY_CODES[claims.delivery], claims.expiresAt, claims.keyHash ? await sealKeyRef(claims.keyHash, secret) : '-', ...(claims.issuedAt === undefined ? [] : [claims.issuedAt])].join('.');
  const payload = base64url(encoder.encode(compact));
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload)));
  return `${payload}.${base64url(signature)}`;
}

export async function verifyStreamToken(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<StreamClaims> {
  const invalid = new AppError('stream.token_invalid', 'This stream link is not valid.');
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload + signature)) throw invalid;
  let signatureBytes: Uint8Array;
  try {
    signatureBytes = fromBase64url(signature);
  } catch {
    throw invalid;
  }
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), signatureBytes, encoder.encode(payload));
  if (!valid) throw invalid;
  const parts = new TextDecoder().decode(fromBase64url(payload)).split('.');
  const [videoId, itag, type, delivery, expiresAt, keyHash, issuedAt] = parts;
  const deliveryName = (Object.keys(DELIVERY_CODES) as Delivery[]).find((name) => DELIVERY_CODES[name] === delivery);
  if ((parts.length !== 6 && parts.length !== 7) || !videoId || !deliveryName || (type !== 'a' && type !== 'v') || !keyHash) throw invalid;
  const claims: StreamClaims = {
    videoId,
    itag: Number(itag),
    type: type === 'a' ? 'audio' : 'video',
    delivery: deliveryName,
    expiresAt: Number(expiresAt),
    keyHash: keyHash === '-' ? null : await openKeyRef(keyHash, secret),
    ...(issuedAt === undefined ? {} : { issuedAt: Number(issuedAt) }),
  };
  if (claims.issuedAt !== undefined && !Number.isInteger(claims.issuedAt)) throw invalid;
  if (keyHash !== '-' && claims.keyHash === null) throw invalid;
  if (!Number.isFinite(claims.expiresAt) || !Number.isInteger(claims.itag)) throw invalid;
  if (claims.expiresAt <= nowSeconds) throw new AppError('stream.token_expired', 'This stream link has expired; resolve the track again.');
  return claims;
}

/** A link's id for "first request" bookkeeping: part of its signature, so unique per link and nothing secret. */
export function linkIdOf(token: string): string {
  return (token.split('.')[1] ?? token).slice(0, 22);
}
