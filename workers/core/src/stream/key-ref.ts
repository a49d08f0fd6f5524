import { toHex } from '../hash';
import { base64url, fromBase64url } from './token';

/**
 * The key a stream link was minted for, as the link carries it: the key's
 * hash encrypted (AES-256-GCM, a fresh IV per link, with a key derived from
 * STREAM_SIGNING_KEY by HKDF). A readable hash would let anyone holding
 * links tell which belong to one key, and stands in for the key's own
 * fingerprint; sealed, two links of one key share nothing, and only this
 * service can open them.
 */
const IV_BYTES = 12;
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

export async function sealKeyRef(keyHash: string, secret: string): Promise<string> {
  const plain = bytesOfHash(keyHash);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sealingKey(secret), plain));
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return base64url(out);
}

/** The key hash (lowercase hex), or null when the reference is not one this service sealed. */
export async function openKeyRef(ref: string, secret: string): Promise<string | null> {
  try {
    const bytes = fromBase64url(ref);
    if (bytes.length <= IV_BYTES) return null;
    const plain = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) }, await sealingKey(secret), bytes.subarray(IV_BYTES)),
    );
    if (plain.length !== 32) return null;
    return toHex(plain);
  } catch {
    return null;
  }
}
