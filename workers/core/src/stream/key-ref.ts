import { toHex } from '../hash';
import { fromBase64url } from './base64url';

/**
 * The key a stream link was minted for, as the link carries it: the key's hash encrypted
 * (AES-256-GCM, a fresh IV per link, with a key derived from STREAM_SIGNING_KEY by HKDF).
 * A readable hash would let anyone holding links tell which belong to one key, and stands in
 * for the key's own fingerprint; sealed, two links of one key share nothing, and only this
 * service can open them.
 *
 * A keyed link is sealed in one cipher call (`sealKeyHash`): the link's payload goes in as
 * associated data, so the same tag that keeps the hash secret also authenticates the link, and
 * a keyed link costs no more to mint or check than a keyless one's HMAC. Links minted before
 * carried the sealed hash inside an HMAC-signed payload (`openKeyRef`): they are still read
 * until they expire.
 */
export const IV_BYTES = 12;
const HASH_BYTES = 32;
const INFO = new TextEncoder().encode('stream-link key reference v1');
const keys = new Map<string, Promise<CryptoKey>>();

function sealingKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: INFO }, base, { name: 'AES-GCM', length: 256 }, false, [
          'encrypt',
          'decrypt',
        ]),
      );
    keys.set(secret, key);
  }
  return key;
}

/** A key's hash as bytes, for the last few hundred keys: every link a key is given seals the same 32 bytes (under a fresh IV each). */
const hashBytes = new Map<string, Uint8Array>();
const REMEMBERED_HASHES = 512;

function bytesOfHash(keyHash: string): Uint8Array {
  let bytes = hashBytes.get(keyHash);
  if (!bytes) {
    bytes = Uint8Array.from(keyHash.match(/../g) ?? [], (pair) => parseInt(pair, 16));
    hashBytes.set(keyHash, bytes);
    if (hashBytes.size > REMEMBERED_HASHES) hashBytes.delete(hashBytes.keys().next().value!);
  }
  return bytes;
}

/** The key's hash sealed under `iv`, bound to `associated` (the link's payload): ciphertext and tag. */
export async function sealKeyHash(keyHash: string, iv: Uint8Array, associated: Uint8Array, secret: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: associated }, await sealingKey(secret), bytesOfHash(keyHash)));
}

/** The key hash (lowercase hex), or null when `sealed` is not this service's seal of `associated` under `iv`. */
export async function openKeyHash(sealed: Uint8Array, iv: Uint8Array, associated: Uint8Array, secret: string): Promise<string | null> {
  if (iv.length !== IV_BYTES || sealed.length !== HASH_BYTES + 16) return null;
  try {
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: associated }, await sealingKey(secret), sealed));
    return plain.length === HASH_BYTES ? toHex(plain) : null;
  } catch {
    return null;
  }
}

/** A link minted before one-call sealing: its payload's reference (IV and sealed hash, no associated data), or null. */
export async function openKeyRef(ref: string, secret: string): Promise<string | null> {
  try {
    const bytes = fromBase64url(ref);
    return await openKeyHash(bytes.subarray(IV_BYTES), bytes.subarray(0, IV_BYTES), new Uint8Array(0), secret);
  } catch {
    return null;
  }
}
