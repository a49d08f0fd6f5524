import { AppError } from '../errors';
import { base64url, fromBase64url } from './base64url';
import { IV_BYTES, openKeyHash, openKeyRef, sealKeyHash } from './key-ref';

export { base64url, fromBase64url };

/**
 * Stream tokens: `<payload>.<seal>`, both base64url. The payload names the
 * video, the format and the delivery, and carries its own expiry, so `/stream`
 * needs no server-side state. A keyless link's seal is an HMAC-SHA256 of the
 * payload with STREAM_SIGNING_KEY; a keyed link's is its key's hash sealed with
 * the payload as associated data (key-ref.ts), the payload naming the IV.
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

const DELIVERY_CODES: Record<Delivery, string> = { direct: 'd', hls: 'h', telegram: 't' };

/** The payload's key field of a keyed link: the seal's IV (base64url, 16 characters); an older link's sealed reference is longer. */
const IV_FIELD_LENGTH = Math.ceil((IV_BYTES * 4) / 3);

export async function signStreamToken(claims: StreamClaims, secret: string): Promise<string> {
  const iv = claims.keyHash ? crypto.getRandomValues(new Uint8Array(IV_BYTES)) : null;
  const keyField = iv ? base64url(iv) : '-';
  const compact = [claims.videoId, claims.itag, claims.type === 'audio' ? 'a' : 'v', DELIVERY_CODES[claims.delivery], claims.expiresAt, keyField, ...(claims.issuedAt === undefined ? [] : [claims.issuedAt])].join('.');
  const payload = base64url(encoder.encode(compact));
  const seal = iv
    ? await sealKeyHash(claims.keyHash!, iv, encoder.encode(payload), secret)
    : new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload)));
  return `${payload}.${base64url(seal)}`;
}

export async function verifyStreamToken(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<StreamClaims> {
  const invalid = new AppError('stream.token_invalid', 'This stream link is not valid.');
  const [payload, seal, extra] = token.split('.');
  if (!payload || !seal || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload + seal)) throw invalid;
  let parts: string[];
  let sealBytes: Uint8Array;
  let iv: Uint8Array | null;
  try {
    parts = new TextDecoder().decode(fromBase64url(payload)).split('.');
    sealBytes = fromBase64url(seal);
    iv = parts[5]?.length === IV_FIELD_LENGTH ? fromBase64url(parts[5]) : null;
  } catch {
    throw invalid;
  }
  const [videoId, itag, type, delivery, expiresAt, keyField, issuedAt] = parts;
  // Nothing read from the payload is trusted before its seal is checked: by the cipher's tag for a keyed link, else the HMAC.
  let keyHash: string | null;
  if (iv) {
    keyHash = await openKeyHash(sealBytes, iv, encoder.encode(payload), secret);
    if (keyHash === null) throw invalid;
  } else {
    // crypto.subtle.verify compares in constant time.
    if (!(await crypto.subtle.verify('HMAC', await hmacKey(secret), sealBytes, encoder.encode(payload)))) throw invalid;
    keyHash = !keyField || keyField === '-' ? null : await openKeyRef(keyField, secret);
    if (keyField !== '-' && keyHash === null) throw invalid;
  }
  const deliveryName = (Object.keys(DELIVERY_CODES) as Delivery[]).find((name) => DELIVERY_CODES[name] === delivery);
  if ((parts.length !== 6 && parts.length !== 7) || !videoId || !deliveryName || (type !== 'a' && type !== 'v') || !keyField) throw invalid;
  const claims: StreamClaims = {
    videoId,
    itag: Number(itag),
    type: type === 'a' ? 'audio' : 'video',
    delivery: deliveryName,
    expiresAt: Number(expiresAt),
    keyHash,
    ...(issuedAt === undefined ? {} : { issuedAt: Number(issuedAt) }),
  };
  if (claims.issuedAt !== undefined && !Number.isInteger(claims.issuedAt)) throw invalid;
  if (!Number.isFinite(claims.expiresAt) || !Number.isInteger(claims.itag)) throw invalid;
  if (claims.expiresAt <= nowSeconds) throw new AppError('stream.token_expired', 'This stream link has expired; resolve the track again.');
  return claims;
}

/** A link's id for "first request" bookkeeping: part of its seal, so unique per link and nothing secret. */
export function linkIdOf(token: string): string {
  return (token.split('.')[1] ?? token).slice(0, 22);
}
