import { listDurableObjectIds } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { carriesProof, issueProvenKey, proofSecretsOf } from '../workers/api/src/quota/key-proof';
import { loadConfig } from '../workers/api/src/config';
import { sha256Hex } from '../workers/core/src/hash';
import { createD1Store } from '../workers/core/src/store/d1-store';
import { apiWith } from './support/api-with';
import { apiJson, createKey, withKey } from './support/api';

/**
 * Made-up keys cost nothing: the keys this service issues prove themselves
 * (a MAC in their random bits), so a key it never issued is refused before
 * any Durable Object, store read or cache write; keys issued before proofs
 * (or imported) are looked up after the IP limiter, never by creating their object.
 */
const bindings = env as unknown as { QUOTA: DurableObjectNamespace; DB: D1Database };
const RESOLVE = '/v1/resolve?query=M4gD1WSo5mA';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function objectExists(keyHash: string): Promise<boolean> {
  const id = bindings.QUOTA.idFromName(keyHash).toString();
  return (await listDurableObjectIds(bindings.QUOTA)).some((each) => each.toString() === id);
}

/** A UUID v4 no one issued: the same shape as a real key. */
function madeUp(): string {
  return crypto.randomUUID();
}

describe('keys that prove themselves', () => {
  it('issues UUID v4 keys whose last bits are a MAC of the rest: one changed digit and the proof fails', async () => {
    const { key } = await createKey({ name: 'proven' });
    expect(key).toMatch(UUID_V4);
    const secrets = proofSecretsOf(loadConfig(env));
    expect(await carriesProof(key, secrets)).toBe(true);
    expect(await carriesProof(key.toUpperCase(), secrets)).toBe(true);
    const last = key.at(-1) === '0' ? '1' : '0';
    expect(await carriesProof(key.slice(0, -1) + last, secrets)).toBe(false);
    expect(await carriesProof(`${key.slice(0, 9)}${key[9] === 'a' ? 'b' : 'a'}${key.slice(10)}`, secrets)).toBe(false);
  });

  it('refuses a made-up key with no object, no store read and no cache write (LEGACY_KEY_LOOKUP=false)', async () => {
    // No store at all: a read would fail the request with a 5xx.
    const noStore = apiWith({ LEGACY_KEY_LOOKUP: 'false', DB: undefined });
    const key = madeUp();
    const hash = await sha256Hex(key);
    const refused = await noStore.call(RESOLVE, withKey(key));
    expect([refused.status, ((await refused.json()) as any).error.code]).toEqual([401, 'key.invalid']);
    expect(await objectExists(hash)).toBe(false);
    expect(await caches.default.match(`https://key-gate.internal/unknown/${hash}`)).toBeUndefined();
    // An issued key passes the same gate.
    const { key: issued } = await createKey({ name: 'issued' });
    expect((await apiWith({ LEGACY_KEY_LOOKUP: 'false' }).call(RESOLVE, withKey(issued))).status).toBe(200);
  });

  it('never creates a made-up key’s object or cache entry, also while older keys are still looked up', async () => {
    const key = madeUp();
    const hash = await sha256Hex(key);
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await apiJson(RESOLVE, withKey(key));
      expect([refused.status, refused.body.error.code]).toEqual([401, 'key.invalid']);
    }
    expect(await objectExists(hash)).toBe(false);
    expect(await caches.default.match(`https://key-gate.internal/unknown/${hash}`)).toBeUndefined();
  });

  it('still serves a key issued before proofs (or imported), counting its lookup against the IP first', async () => {
    const key = madeUp();
    const hash = await sha256Hex(key);
    await createD1Store(bindings.DB).createKey({ key_hash: hash, name: 'imported', tier: 'user', daily_limit: 5, expires_at: null, created_at: new Date() });
    const first = await apiWith({}).call(RESOLVE, withKey(key));
    expect(first.status).toBe(200);
    expect(first.headers.get('RateLimit-Remaining')).toBe('4');
    expect(await objectExists(hash)).toBe(true);
    // The lookup comes after the IP limiter: an address past its limit is not looked up for.
    const limiter = { limit: async () => ({ success: false }) };
    const other = madeUp();
    await createD1Store(bindings.DB).createKey({ key_hash: await sha256Hex(other), name: 'imported 2', tier: 'user', daily_limit: 5, expires_at: null, created_at: new Date() });
    const limited = await apiWith({ IP_RATE_LIMITER: limiter as unknown as string }).call(RESOLVE, withKey(other));
    expect(limited.status).toBe(429);
    expect(await objectExists(await sha256Hex(other))).toBe(false);
    // Switched off, it is refused like a made-up one.
    expect((await apiWith({ LEGACY_KEY_LOOKUP: 'false' }).call(RESOLVE, withKey(madeUp()))).status).toBe(401);
  });

  it('accepts keys of the previous secret during a rotation, and only then', async () => {
    const oldSecret = 'old-key-proof-secret-0123456789';
    const newSecret = 'new-key-proof-secret-0123456789';
    const key = await issueProvenKey(oldSecret);
    expect(key).toMatch(UUID_V4);
    await createD1Store(bindings.DB).createKey({ key_hash: await sha256Hex(key), name: 'rotated', tier: 'user', daily_limit: 5, expires_at: null, created_at: new Date() });
    const during = apiWith({ KEY_PROOF_SECRET: newSecret, KEY_PROOF_PREVIOUS_SECRET: oldSecret, LEGACY_KEY_LOOKUP: 'false' });
    expect((await during.call(RESOLVE, withKey(key))).status).toBe(200);
    const after = apiWith({ KEY_PROOF_SECRET: newSecret, LEGACY_KEY_LOOKUP: 'false' });
    expect((await after.call(RESOLVE, withKey(key))).status).toBe(401);
    // Keys created during the rotation are proven under the new secret.
    expect(await carriesProof(await issueProvenKey(newSecret), [newSecret])).toBe(true);
  });
});
