import { beforeEach, describe, expect, it } from 'vitest';
import { describeCacheContract } from './store.contract-cache';
import { describeLogContract } from './store.contract-logs';
import type { MetadataStore, NewApiKey } from '../../workers/core/src/store/types';

/**
 * The behaviour every MetadataStore backend owes its callers, run unchanged
 * against D1 and the Mongo Data API. `makeStore` gives each test an empty
 * store.
 */
export type StoreFactory = () => Promise<MetadataStore>;

export function describeStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`MetadataStore contract: ${name}`, () => {
    describeKeyContract(makeStore);
    describeLogContract(makeStore);
    describeCacheContract(makeStore);

    it('answers a health check', async () => {
      const store = await makeStore();
      const ping = await store.ping();
      expect(ping).toMatchObject({ ok: true, backend: store.backend });
      expect(ping.latency_ms).toBeGreaterThanOrEqual(0);
    });
  });
}

/** A fake SHA-256 hex of a seed: only its shape matters to the store. */
export function hashOf(seed: string): string {
  let hex = '';
  for (const char of seed) hex += char.charCodeAt(0).toString(16).padStart(2, '0');
  return hex.padEnd(64, '0').slice(0, 64);
}

const DAY = 86_400_000;
const T0 = new Date(Date.UTC(2030, 0, 1));

function newKey(seed: string, overrides: Partial<NewApiKey> = {}): NewApiKey {
  return { key_hash: hashOf(seed), name: `Bot ${seed}`, tier: 'user', daily_limit: 1000, expires_at: null, ...overrides };
}

function describeKeyContract(makeStore: StoreFactory) {
  describe('API keys', () => {
    let store: MetadataStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('creates a key and finds it by hash and by id', async () => {
      const created = await store.createKey(newKey('alpha', { created_at: T0, expires_at: new Date(T0.getTime() + 30 * DAY) }));
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{12}$/),
        key_hash: hashOf('alpha'),
        name: 'Bot alpha',
        tier: 'user',
        daily_limit: 1000,
        created_at: T0,
        expires_at: new Date(T0.getTime() + 30 * DAY),
        active: true,
        last_used_at: null,
        total_used: 0,
        version: 1,
      });
      expect(await store.getKeyByHash(hashOf('alpha'))).toEqual(created);
      expect(await store.getKeyById(created.id)).toEqual(created);
      expect(await store.getKeyByHash(hashOf('nobody'))).toBeNull();
      expect(await store.getKeyById('000000000000')).toBeNull();
    });

    it('refuses a second key with the same hash or id, and bad input', async () => {
      await store.createKey(newKey('alpha', { id: 'fixed-id-1' }));
      await expect(store.createKey(newKey('alpha'))).rejects.toMatchObject({ code: 'store.conflict' });
      await expect(store.createKey(newKey('beta', { id: 'fixed-id-1' }))).rejects.toMatchObject({ code: 'store.conflict' });
      await expect(store.createKey(newKey('gamma', { key_hash: 'not-a-hash' }))).rejects.toMatchObject({ code: 'request.invalid' });
      await expect(store.createKey(newKey('delta', { daily_limit: -1 }))).rejects.toMatchObject({ code: 'request.invalid' });
      expect((await store.listKeys({ page: 1, pageSize: 10, now: T0 })).total).toBe(1);
    });

    it('lists keys newest first with paging, search and status filters', async () => {
      const now = new Date(T0.getTime() + 10 * DAY);
      const specs: Array<[string, string, Partial<NewApiKey>]> = [
        ['k1', 'Alice Music Bot', { expires_at: null }],
        ['k2', 'bob radio', { expires_at: new Date(now.getTime() + DAY) }],
        ['k3', 'ALICE backup', { expires_at: new Date(now.getTime() - DAY) }],
        ['k4', 'carol a.b', { expires_at: new Date(now.getTime()) }],
        ['k5', 'dave axb', { expires_at: null }],
      ];
      for (const [index, [seed, name, overrides]] of specs.entries()) {
        await store.createKey(newKey(seed, { id: `id-${seed}`, name, created_at: new Date(T0.getTime() + index * 1000), ...overrides }));
      }
      await store.updateKey('id-k5', { active: false });

      const first = await store.listKeys({ page: 1, pageSize: 2, now });
      expect(first.total).toBe(5);
      expect(first.items.map((key) => key.id)).toEqual(['id-k5', 'id-k4']);
      const third = await store.listKeys({ page: 3, pageSize: 2, now });
      expect(third.items.map((key) => key.id)).toEqual(['id-k1']);
      expect((await store.listKeys({ page: 4, pageSize: 2, now })).items).toEqual([]);

      const ids = async (query: Partial<Parameters<MetadataStore['listKeys']>[0]>) =>
        (await store.listKeys({ page: 1, pageSize: 50, now, ...query })).items.map((key) => key.id);
      expect(await ids({ search: 'alice' })).toEqual(['id-k3', 'id-k1']);
      expect(await ids({ search: '  BOT ' })).toEqual(['id-k1']);
      expect(await ids({ search: 'a.b' })).toEqual(['id-k4']);
      expect(await ids({ search: 'zzz' })).toEqual([]);
      expect(await ids({ status: 'active' })).toEqual(['id-k2', 'id-k1']);
      expect(await ids({ status: 'expired' })).toEqual(['id-k4', 'id-k3']);
      expect(await ids({ status: 'revoked' })).toEqual(['id-k5']);
      expect(await ids({ status: 'expired', search: 'alice' })).toEqual(['id-k3']);
      expect((await store.listKeys({ page: 1, pageSize: 1, now, status: 'active' })).total).toBe(2);
      expect(await store.countKeys(now)).toEqual({ total: 5, active: 2, expired: 2, revoked: 1 });
      await expect(store.listKeys({ page: 0, pageSize: 10, now })).rejects.toMatchObject({ code: 'request.invalid' });
      await expect(store.listKeys({ page: 1, pageSize: 1000, now })).rejects.toMatchObject({ code: 'request.invalid' });
      // A page far past the rows is the caller's mistake (400), never a store failure.
      for (const page of [1e9, Number.MAX_SAFE_INTEGER, 100_000]) {
        await expect(store.listKeys({ page, pageSize: 200, now })).rejects.toMatchObject({ code: 'request.invalid' });
        await expect(store.listLogs({ page, pageSize: 200 })).rejects.toMatchObject({ code: 'request.invalid' });
        await expect(store.listCacheEntries({ page, pageSize: 200 })).rejects.toMatchObject({ code: 'request.invalid' });
      }
    });

    it('updates name, limit, expiry and the active flag', async () => {
      const key = await store.createKey(newKey('alpha', { expires_at: new Date(T0.getTime() + DAY) }));
      const updated = await store.updateKey(key.id, { name: 'Renamed Bot', daily_limit: 50, expires_at: null, active: false });
      // Every change bumps the version: copies of the record can tell which is newer.
      expect(updated).toEqual({ ...key, name: 'Renamed Bot', daily_limit: 50, expires_at: null, active: false, version: 2 });
      expect(await store.getKeyByHash(key.key_hash)).toEqual(updated);
      expect((await store.listKeys({ page: 1, pageSize: 10, now: T0, search: 'renamed' })).total).toBe(1);
      expect(await store.updateKey(key.id, {})).toEqual(updated);
      const reactivated = await store.updateKey(key.id, { active: true, expires_at: new Date(T0.getTime() + 2 * DAY) });
      expect(reactivated).toMatchObject({ active: true, expires_at: new Date(T0.getTime() + 2 * DAY), version: 3 });
      expect(await store.updateKey('missing-key', { name: 'x' })).toBeNull();
      await expect(store.updateKey(key.id, { daily_limit: 1.5 })).rejects.toMatchObject({ code: 'request.invalid' });
    });

    it('deletes a key once', async () => {
      const key = await store.createKey(newKey('alpha'));
      expect(await store.deleteKey(key.id)).toBe(true);
      expect(await store.deleteKey(key.id)).toBe(false);
      expect(await store.getKeyByHash(key.key_hash)).toBeNull();
    });

    it('adds usage by id or hash and never moves last use back', async () => {
      const a = await store.createKey(newKey('alpha'));
      const b = await store.createKey(newKey('beta'));
      const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
      await store.recordKeyUsage([
        { id: a.id, count: 3, last_used_at: at(10) },
        { key_hash: a.key_hash, count: 2, last_used_at: at(5) },
        { id: a.id, count: 1, last_used_at: at(7) },
        { key_hash: b.key_hash, count: 4, last_used_at: at(1) },
        { id: 'deleted-key', count: 9, last_used_at: at(1) },
      ]);
      await store.recordKeyUsage([{ id: a.id, count: 1, last_used_at: at(2) }]);
      await store.recordKeyUsage([]);
      expect(await store.getKeyById(a.id)).toMatchObject({ total_used: 7, last_used_at: at(10) });
      expect(await store.getKeyById(b.id)).toMatchObject({ total_used: 4, last_used_at: at(1) });
      await expect(store.recordKeyUsage([{ id: a.id, count: 0, last_used_at: at(1) }])).rejects.toMatchObject({
        code: 'request.invalid',
      });
    });
  });
}
