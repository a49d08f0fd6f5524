import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { KeyGate, sha256Hex } from '../workers/api/src/quota/key-gate';
import { SNAPSHOT_FRESH_MS, type QuotaCounter } from '../workers/api/src/quota/quota-counter';
import { createD1Store } from '../workers/core/src/store/d1-store';
import type { MetadataStore } from '../workers/core/src/store/types';
import { api, apiJson, createKey, withKey } from './support/api';

/**
 * Issue 12 §4: revocations and key edits stick. A refresh that read the store
 * before an admin change cannot undo it; a lost push still arrives; and an
 * unknown key leaves nothing stored and reads the store once, not per request.
 */
const bindings = env as unknown as { QUOTA: DurableObjectNamespace<QuotaCounter>; DB: D1Database };
const RESOLVE = '/v1/resolve?query=M4gD1WSo5mA';
const store = createD1Store(bindings.DB);

function patch(id: string, body: Record<string, unknown>) {
  return apiJson(`/admin/keys/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** A key gate of its own, as another isolate's; `work` collects its background refreshes. */
function gateWith(options: { counters?: DurableObjectNamespace<QuotaCounter>; store?: MetadataStore; unknownKeys?: Map<string, number> } = {}) {
  const work: Promise<unknown>[] = [];
  const gate = new KeyGate(options.counters ?? bindings.QUOTA, () => options.store ?? store, (promise) => void work.push(promise), {
    unknownKeys: options.unknownKeys ?? new Map(),
  });
  return { gate, settle: () => Promise.all(work.splice(0)) };
}

function countingStore(): { store: MetadataStore; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'getKeyByHash') return (hash: string) => ((reads += 1), target.getKeyByHash(hash));
      return Reflect.get(target, name, receiver);
    },
  });
  return { store: counted, reads: () => reads };
}

describe('key edits against a racing refresh', () => {
  it('keeps a revocation when a refresh that read the store before it lands after it', async () => {
    const { key, record } = await createKey({ name: 'raced' });
    expect((await api(RESOLVE, withKey(key))).status).toBe(200);
    const hash = await sha256Hex(key);
    // A background refresh reads the key (still active)…
    const before = (await store.getKeyByHash(hash))!;
    // …an admin revokes it, and the change is pushed at once…
    expect((await patch(record.id, { active: false })).body.status).toBe('revoked');
    // …then the refresh's push of what it read arrives.
    const { gate } = gateWith();
    await gate.push(hash, before);
    const refused = await apiJson(RESOLVE, withKey(key));
    expect([refused.status, refused.body.error.code]).toEqual([403, 'key.revoked']);

    // The same for a lowered limit, and a deletion is never undone by an old copy.
    expect((await patch(record.id, { active: true, daily_limit: 2 })).status).toBe(200);
    const stale = (await store.getKeyByHash(hash))!;
    expect((await patch(record.id, { daily_limit: 1 })).status).toBe(200);
    await gate.push(hash, stale);
    expect((await api(RESOLVE, withKey(key))).headers.get('RateLimit-Limit')).toBe('1');
    expect((await api(`/admin/keys/${record.id}`, { method: 'DELETE' })).status).toBe(200);
    await gate.push(hash, stale);
    expect((await apiJson(RESOLVE, withKey(key))).body.error.code).toBe('key.invalid');
  });
});

describe('a push that fails', () => {
  it('is tried again, so a reactivation is seen at once', async () => {
    const { key, record } = await createKey({ name: 'flaky push' });
    const hash = await sha256Hex(key);
    expect((await patch(record.id, { active: false })).status).toBe(200);
    let failures = 2;
    const flaky = {
      getByName: (name: string) => {
        const stub = bindings.QUOTA.getByName(name);
        return new Proxy(stub, {
          get(target, method, receiver) {
            if (method === 'remember') return (...args: Parameters<QuotaCounter['remember']>) => (failures-- > 0 ? Promise.reject(new Error('Network connection lost.')) : target.remember(...args));
            return Reflect.get(target, method, receiver);
          },
        });
      },
    } as unknown as DurableObjectNamespace<QuotaCounter>;
    const reactivated = (await store.updateKey(record.id, { active: true }))!;
    const { gate } = gateWith({ counters: flaky });
    expect(await gate.push(hash, reactivated)).toBe(true);
    expect((await api(RESOLVE, withKey(key))).status).toBe(200);
  });

  it('that never lands is made good by the refresh of the refused key’s old copy', async () => {
    const { key, record } = await createKey({ name: 'lost push' });
    const hash = await sha256Hex(key);
    expect((await patch(record.id, { active: false })).status).toBe(200);
    // Reactivated in the store, but the object never heard of it.
    await store.updateKey(record.id, { active: true });
    const { gate, settle } = gateWith();
    const now = Date.now();
    await expect(gate.admit(hash, now)).rejects.toMatchObject({ code: 'key.revoked' });
    await settle();
    // Once the copy is old, the refused request refreshes it, and the next one passes.
    await expect(gate.admit(hash, now + SNAPSHOT_FRESH_MS + 1000)).rejects.toMatchObject({ code: 'key.revoked' });
    await settle();
    await expect(gate.admit(hash, now + SNAPSHOT_FRESH_MS + 2000)).resolves.toMatchObject({ key: { id: record.id, active: true } });
  });
});

describe('an unknown key', () => {
  it('creates no Durable Object state, and reads the store once per isolate and colo, not per request', async () => {
    const key = crypto.randomUUID();
    const hash = await sha256Hex(key);
    for (let n = 0; n < 3; n++) expect((await apiJson(RESOLVE, withKey(key))).body.error.code).toBe('key.invalid');
    const stored = await runInDurableObject(bindings.QUOTA.getByName(hash), (_instance, state) => state.storage.list());
    expect([...stored.keys()]).toEqual([]);

    const other = `${crypto.randomUUID()}`;
    const otherHash = await sha256Hex(other);
    const counted = countingStore();
    const isolate = new Map<string, number>();
    const { gate, settle } = gateWith({ store: counted.store, unknownKeys: isolate });
    for (let n = 0; n < 5; n++) await expect(gate.admit(otherHash, Date.now())).rejects.toMatchObject({ code: 'key.invalid' });
    await settle();
    expect(counted.reads()).toBe(1);
    // Another isolate of the same colo finds "unknown" in the Cache API.
    const { gate: fresh } = gateWith({ store: counted.store });
    await expect(fresh.admit(otherHash, Date.now())).rejects.toMatchObject({ code: 'key.invalid' });
    expect(counted.reads()).toBe(1);
    const left = await runInDurableObject(bindings.QUOTA.getByName(otherHash), (_instance, state) => state.storage.list());
    expect(left.size).toBe(0);
  });
});
