import type { Config } from '../config';

/**
 * Keys that carry their own proof. A key is a UUID v4 (what bots and the
 * original service expect), and of its random bits the last 56 are a MAC of
 * the others under KEY_PROOF_SECRET: bytes 0–8 are random (the version and
 * variant bits set as UUID v4 wants), bytes 9–15 are HMAC-SHA256(secret,
 * bytes 0–8) cut to 7 bytes. A made-up key fails the check (one chance in
 * 2^56) before anything is asked of a Durable Object, the store or the cache.
 * Written by hand: no library signs a UUID, and the check is ten lines.
 *
 * Rotation: set the new secret as KEY_PROOF_SECRET and the old one as
 * KEY_PROOF_PREVIOUS_SECRET; keys issued under either pass. Keys issued
 * under the old one keep working only while it stays set (or, once it is
 * gone, through the legacy lookup, LEGACY_KEY_LOOKUP): reissue them, then
 * drop the previous secret. Unset, KEY_PROOF_SECRET is derived from
 * STREAM_SIGNING_KEY (rotating that one then ends those proofs too).
 */
const PROVEN_BYTES = 9;
const encoder = new TextEncoder();
const macKeys = new Map<string, Promise<CryptoKey>>();
/** Keys already proven in this isolate: a bot sends one key request after request. */
const proven = new Set<string>();
const REMEMBERED = 512;

function macKey(secret: string): Promise<CryptoKey> {
  let key = macKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(`key-proof\n${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    macKeys.set(secret, key);
  }
  return key;
}

async function macOf(secret: string, body: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await macKey(secret), body)).slice(0, 16 - PROVEN_BYTES);
}

/** The secrets keys are proven under, newest first; none when the config has no signing key at all. */
export function proofSecretsOf(config: Pick<Config, 'KEY_PROOF_SECRET' | 'KEY_PROOF_PREVIOUS_SECRET' | 'STREAM_SIGNING_KEY'>): string[] {
  const known = secretsByConfig.get(config);
  if (known) return known;
  const current = config.KEY_PROOF_SECRET ?? (config.STREAM_SIGNING_KEY ? `derived\n${config.STREAM_SIGNING_KEY}` : undefined);
  const secrets = [current, config.KEY_PROOF_PREVIOUS_SECRET].filter((secret): secret is string => Boolean(secret));
  secretsByConfig.set(config, secrets);
  return secrets;
}

/** The config is read once per env (config.ts): its secrets list too, off the hot path. */
const secretsByConfig = new WeakMap<object, string[]>();

function uuidOf(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new key, UUID v4-shaped, proven under `secret`. */
export async function issueProvenKey(secret: string): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  bytes.set(await macOf(secret, bytes.subarray(0, PROVEN_BYTES)), PROVEN_BYTES);
  return uuidOf(bytes);
}

/** Whether a UUID-shaped key (any letter case) carries a proof under one of `secrets`. */
export async function carriesProof(key: string, secrets: string[]): Promise<boolean> {
  const lower = key.toLowerCase();
  const remembered = `${secrets.join('\n')}\n${lower}`;
  if (proven.has(remembered)) return true;
  const hex = lower.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex) || secrets.length === 0) return false;
  const bytes = Uint8Array.from(hex.match(/../g)!, (pair) => Number.parseInt(pair, 16));
  const presented = bytes.slice(PROVEN_BYTES);
  for (const secret of secrets) {
    const expected = await macOf(secret, bytes.subarray(0, PROVEN_BYTES));
    if (crypto.subtle.timingSafeEqual(expected, presented)) {
      proven.add(remembered);
      if (proven.size > REMEMBERED) proven.delete(proven.values().next().value!);
      return true;
    }
  }
  return false;
}
