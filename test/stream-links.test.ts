import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../workers/core/src/hash';
import { fromBase64url, signStreamToken, verifyStreamToken } from '../workers/core/src/stream/token';
import { api, apiJson, createKey, withKey } from './support/api';

/**
 * Issue 12 §4: stream links name their key only sealed, and every link can be
 * stopped in an emergency, those of the bootstrap key and of keys off too.
 */
const SIGNING_KEY = (env as unknown as { STREAM_SIGNING_KEY: string }).STREAM_SIGNING_KEY;
const TTL = 86_400;

function tokenOf(url: string): string {
  return new URL(url).pathname.split('/')[2]!;
}

function payloadFields(token: string): string[] {
  return new TextDecoder().decode(fromBase64url(token.split('.')[0]!)).split('.');
}

describe('stream links and their key', () => {
  it('carry no readable trace of the key: two links of one key share nothing, yet revoking the key stops both', async () => {
    const { key, record } = await createKey({ name: 'linked' });
    const hash = await sha256Hex(key);
    const links = await Promise.all([1, 2].map(async () => (await apiJson('/v1/resolve?query=M4gD1WSo5mA', withKey(key))).body.stream.url as string));
    const [first, second] = links.map(tokenOf);
    const refs = [first!, second!].map((token) => payloadFields(token)[5]!);
    expect(refs[0]).not.toBe(refs[1]);
    for (const token of [first!, second!]) {
      const text = new TextDecoder().decode(fromBase64url(token.split('.')[0]!));
      expect(text).not.toContain(hash);
      expect(text).not.toContain(hash.slice(0, 16));
      expect(text).not.toContain(record.id);
      // This service alone reads the sealed reference back.
      expect((await verifyStreamToken(token, SIGNING_KEY)).keyHash).toBe(hash);
    }
    expect((await api(new URL(links[0]!).pathname, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
    await apiJson(`/admin/keys/${record.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ active: false }) });
    for (const link of links) expect((await apiJson(new URL(link).pathname)).body.error.code).toBe('key.revoked');
  });

  it('refuses a sealed reference that was tampered with or sealed under another signing key', async () => {
    const hash = await sha256Hex(crypto.randomUUID());
    const foreign = await signStreamToken({ videoId: 'M4gD1WSo5mA', itag: 251, type: 'audio', delivery: 'direct', expiresAt: 2e9, keyHash: hash }, 'another-key-0123456789abcdef');
    // Re-signed with the right key but carrying the foreign sealed reference: still refused.
    const fields = payloadFields(foreign);
    const { base64url } = await import('../workers/core/src/stream/token');
    const payload = base64url(new TextEncoder().encode(fields.join('.')));
    const hmac = await crypto.subtle.importKey('raw', new TextEncoder().encode(SIGNING_KEY), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const signature = base64url(new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(payload))));
    await expect(verifyStreamToken(`${payload}.${signature}`, SIGNING_KEY)).rejects.toMatchObject({ code: 'stream.token_invalid' });
  });
});

/** A keyed link as minted before one-call sealing: the key's sealed reference inside an HMAC-signed payload. */
async function legacyKeyedToken(keyHash: string, expiresAt: number): Promise<string> {
  const { base64url } = await import('../workers/core/src/stream/token');
  const encoder = new TextEncoder();
  const base = await crypto.subtle.importKey('raw', encoder.encode(SIGNING_KEY), 'HKDF', false, ['deriveKey']);
  const info = encoder.encode('stream-link key reference v1');
  const aes = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const hashBytes = Uint8Array.from(keyHash.match(/../g)!, (pair) => parseInt(pair, 16));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, hashBytes));
  const ref = base64url(new Uint8Array([...iv, ...sealed]));
  const payload = base64url(encoder.encode(['M4gD1WSo5mA', 251, 'a', 'd', expiresAt, ref, Math.floor(Date.now() / 1000)].join('.')));
  const hmac = await crypto.subtle.importKey('raw', encoder.encode(SIGNING_KEY), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `${payload}.${base64url(new Uint8Array(await crypto.subtle.sign('HMAC', hmac, encoder.encode(payload))))}`;
}

describe('keyed links sealed in one cipher call', () => {
  it('refuse a keyed link whose payload, key field or seal was changed', async () => {
    const { key } = await createKey({ name: 'tamper' });
    const token = tokenOf((await apiJson('/v1/resolve?query=M4gD1WSo5mA', withKey(key))).body.stream.url);
    const [payload, seal] = token.split('.') as [string, string];
    const fields = payloadFields(token);
    const { base64url } = await import('../workers/core/src/stream/token');
    const longer = base64url(new TextEncoder().encode([...fields.slice(0, 4), Number(fields[4]) + 86_400, ...fields.slice(5)].join('.')));
    const otherIv = base64url(new TextEncoder().encode([...fields.slice(0, 5), base64url(crypto.getRandomValues(new Uint8Array(12))), fields[6]].join('.')));
    const flipped = `${seal.slice(0, 10)}${seal[10] === 'A' ? 'B' : 'A'}${seal.slice(11)}`;
    for (const forged of [`${longer}.${seal}`, `${otherIv}.${seal}`, `${payload}.${flipped}`, `${payload}.${seal.slice(0, 43)}`]) {
      await expect(verifyStreamToken(forged, SIGNING_KEY)).rejects.toMatchObject({ code: 'stream.token_invalid' });
      expect((await apiJson(`/stream/${forged}`)).status).toBe(403);
    }
  });

  it('still play links minted before, with the key sealed inside a signed payload, and revoking the key stops them', async () => {
    const { key, record } = await createKey({ name: 'older link' });
    const hash = await sha256Hex(key);
    const token = await legacyKeyedToken(hash, Math.floor(Date.now() / 1000) + 3600);
    expect((await verifyStreamToken(token, SIGNING_KEY)).keyHash).toBe(hash);
    expect((await api(`/stream/${token}`, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
    await apiJson(`/admin/keys/${record.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ active: false }) });
    expect((await apiJson(`/stream/${token}`)).body.error.code).toBe('key.revoked');
  });
});

describe('POST /admin/stream-links/revoke-before', () => {
  it('stops every link minted before the time, keyless ones included, and spares those minted after', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    // Minted two hours ago with the bootstrap key (no key in the link) and with a user key.
    const { key } = await createKey({ name: 'old links' });
    const old = await Promise.all(
      [null, await sha256Hex(key)].map((keyHash) =>
        signStreamToken({ videoId: 'M4gD1WSo5mA', itag: 251, type: 'audio', delivery: 'direct', expiresAt: nowSeconds - 7200 + TTL, keyHash }, SIGNING_KEY),
      ),
    );
    for (const token of old) expect((await api(`/stream/${token}`, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
    const recent = tokenOf((await apiJson('/v1/resolve?query=M4gD1WSo5mA')).body.stream.url);

    const before = new Date((nowSeconds - 3600) * 1000).toISOString();
    const revoked = await apiJson('/admin/stream-links/revoke-before', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ before }) });
    expect(revoked).toMatchObject({ status: 200, body: { revoked_before: before } });
    for (const token of old) {
      const refused = await apiJson(`/stream/${token}`);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'stream.token_invalid']);
      expect(refused.body.error.message).toMatch(/revoked/);
    }
    expect((await api(`/stream/${recent}`, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);

    // The cut-off never moves back, a future time or a bad body is a 400, and a user key is refused.
    const earlier = await apiJson('/admin/stream-links/revoke-before', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ before: '2020-01-01T00:00:00Z' }) });
    expect(earlier.body.revoked_before).toBe(before);
    const future = new Date(Date.now() + 3600_000).toISOString();
    for (const body of [{ before: future }, { before: 'yesterday' }, {}]) {
      expect((await apiJson('/admin/stream-links/revoke-before', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(400);
    }
    const asUser = await apiJson('/admin/stream-links/revoke-before', withKey(key, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ before }) }));
    expect(asUser.status).toBe(403);
  });
});
