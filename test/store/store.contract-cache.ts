import { beforeEach, describe, expect, it } from 'vitest';
import type { StoreFactory } from './store.contract';
import type { CacheCompletion, MetadataStore } from '../../workers/core/src/store/types';

/** Telegram cache-entry behaviour for the contract suite. */

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2030, 5, 1, 12);
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const COOL_DOWN = 10 * MINUTE;

function completion(overrides: Partial<CacheCompletion> = {}): CacheCompletion {
  return {
    file_id: 'CQACAgUAAxkBAAIBZ2Zfile',
    file_unique_id: 'AgADunique',
    message_id: 42,
    chat_id: '-1001234567890',
    size: 3_456_789,
    mime: 'audio/mp4',
    title: 'Song title',
    duration: 213,
    channel: 'Artist - Topic',
    views: 1_234_567,
    thumbnail: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg',
    cached_at: at(MINUTE),
    expires_at: at(30 * DAY),
    ...overrides,
  };
}

export function describeCacheContract(makeStore: StoreFactory) {
  describe('Telegram cache entries', () => {
    let store: MetadataStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('claims a new entry once', async () => {
      expect(await store.getCacheEntry('dQw4w9WgXcQ', 'audio')).toBeNull();
      const first = await store.claimCacheEntry('dQw4w9WgXcQ', 'audio', { now: at(0), retryAfterMs: COOL_DOWN });
      expect(first).toEqual({
        claimed: true,
        entry: {
          video_id: 'dQw4w9WgXcQ',
          type: 'audio',
          status: 'pending',
          file_id: null,
          file_unique_id: null,
          message_id: null,
          chat_id: null,
          size: null,
          mime: null,
          title: null,
          duration: null,
          channel: null,
          views: null,
          thumbnail: null,
          cached_at: null,
          expires_at: null,
          claimed_at: at(0),
          updated_at: at(0),
          failure_reason: null,
          attempts: 1,
          claim_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          lease_until: null,
        },
      });
      const second = await store.claimCacheEntry('dQw4w9WgXcQ', 'audio', { now: at(MINUTE), retryAfterMs: COOL_DOWN });
      expect(second).toEqual({ claimed: false, entry: first.entry });
      // The other type of the same video is an entry of its own.
      expect((await store.claimCacheEntry('dQw4w9WgXcQ', 'video', { now: at(0), retryAfterMs: COOL_DOWN })).claimed).toBe(true);
      expect(await store.getCacheEntry('dQw4w9WgXcQ', 'audio')).toEqual(first.entry);
    });

    it('lets exactly one of 20 concurrent claims win', async () => {
      const claims = await Promise.all(
        Array.from({ length: 20 }, () => store.claimCacheEntry('concurrent1', 'audio', { now: at(0), retryAfterMs: COOL_DOWN })),
      );
      expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
      for (const claim of claims) expect(claim.entry).toMatchObject({ status: 'pending', attempts: 1 });
    });

    it('completes an entry and re-claims it only once expired', async () => {
      const { entry: claimed } = await store.claimCacheEntry('vid_ready01', 'audio', { now: at(0), retryAfterMs: COOL_DOWN });
      const done = await store.completeCacheEntry('vid_ready01', 'audio', claimed.claim_id!, completion(), at(MINUTE));
      expect(done).toMatchObject({ status: 'ready', ...completion(), updated_at: at(MINUTE), failure_reason: null, attempts: 1 });
      expect(await store.getCacheEntry('vid_ready01', 'audio')).toEqual(done);
      const early = await store.claimCacheEntry('vid_ready01', 'audio', { now: at(30 * DAY - 1), retryAfterMs: COOL_DOWN });
      expect(early).toEqual({ claimed: false, entry: done });
      const expired = await store.claimCacheEntry('vid_ready01', 'audio', { now: at(30 * DAY), retryAfterMs: COOL_DOWN });
      expect(expired.claimed).toBe(true);
      expect(expired.entry).toMatchObject({ status: 'pending', attempts: 2, claimed_at: at(30 * DAY) });
      // Every claim has an id of its own: the old one no longer completes the entry.
      expect(expired.entry.claim_id).not.toBe(claimed.claim_id);
      expect(await store.completeCacheEntry('vid_ready01', 'audio', claimed.claim_id!, completion())).toBeNull();
      expect(await store.completeCacheEntry('missing_vid', 'audio', 'some-claim', completion())).toBeNull();
      await expect(store.completeCacheEntry('vid_ready01', 'audio', expired.entry.claim_id!, completion({ size: -1 }))).rejects.toMatchObject({
        code: 'request.invalid',
      });
    });

    it('re-claims a failed entry after the cool-down, a stale one at once', async () => {
      const { entry: first } = await store.claimCacheEntry('vid_fail001', 'video', { now: at(0), retryAfterMs: COOL_DOWN });
      const failed = await store.failCacheEntry('vid_fail001', 'video', first.claim_id!, 'Telegram answered 400: Bad Request', 'failed', at(MINUTE));
      expect(failed).toMatchObject({ status: 'failed', failure_reason: 'Telegram answered 400: Bad Request', updated_at: at(MINUTE) });
      const cooling = await store.claimCacheEntry('vid_fail001', 'video', { now: at(MINUTE + COOL_DOWN - 1), retryAfterMs: COOL_DOWN });
      expect(cooling).toEqual({ claimed: false, entry: failed });
      const again = await store.claimCacheEntry('vid_fail001', 'video', { now: at(MINUTE + COOL_DOWN), retryAfterMs: COOL_DOWN });
      expect(again.claimed).toBe(true);
      expect(again.entry).toMatchObject({ status: 'pending', attempts: 2, failure_reason: 'Telegram answered 400: Bad Request' });

      await store.completeCacheEntry('vid_fail001', 'video', again.entry.claim_id!, completion(), at(2 * COOL_DOWN));
      const stale = await store.markCacheEntryStale('vid_fail001', 'video', 'getFile answered 400', at(3 * COOL_DOWN));
      expect(stale).toMatchObject({ status: 'stale', file_id: completion().file_id });
      const reclaimed = await store.claimCacheEntry('vid_fail001', 'video', { now: at(3 * COOL_DOWN), retryAfterMs: COOL_DOWN });
      expect(reclaimed).toMatchObject({ claimed: true, entry: { status: 'pending', attempts: 3 } });
      expect(await store.failCacheEntry('missing_vid', 'video', 'some-claim', 'x')).toBeNull();
    });

    it('keeps a too-large entry, and frees a pending claim whose worker died', async () => {
      const { entry: large } = await store.claimCacheEntry('vid_large01', 'video', { now: at(0), retryAfterMs: COOL_DOWN });
      await store.failCacheEntry('vid_large01', 'video', large.claim_id!, 'file is 80 MB, over the 50 MB upload limit', 'too_large', at(MINUTE));
      const later = await store.claimCacheEntry('vid_large01', 'video', { now: at(365 * DAY), retryAfterMs: COOL_DOWN });
      expect(later).toMatchObject({ claimed: false, entry: { status: 'too_large' } });

      await store.claimCacheEntry('vid_pend001', 'audio', { now: at(0), retryAfterMs: COOL_DOWN });
      const options = { retryAfterMs: COOL_DOWN, pendingTimeoutMs: 15 * MINUTE };
      expect((await store.claimCacheEntry('vid_pend001', 'audio', { ...options, now: at(15 * MINUTE - 1) })).claimed).toBe(false);
      expect(await store.claimCacheEntry('vid_pend001', 'audio', { ...options, now: at(15 * MINUTE) })).toMatchObject({
        claimed: true,
        entry: { attempts: 2, claimed_at: at(15 * MINUTE) },
      });
    });

    it('fences every outcome by the claim: a late or duplicate job never settles an entry it does not hold', async () => {
      const { entry } = await store.claimCacheEntry('vid_fence01', 'audio', { now: at(0), retryAfterMs: COOL_DOWN });
      const claimId = entry.claim_id!;
      expect(await store.failCacheEntry('vid_fence01', 'audio', 'another-claim', 'late duplicate')).toBeNull();
      const ready = await store.completeCacheEntry('vid_fence01', 'audio', claimId, completion(), at(MINUTE));
      expect(ready).toMatchObject({ status: 'ready', claim_id: claimId, lease_until: null });
      // The same job delivered again, late: it neither fails nor re-completes the ready entry.
      expect(await store.failCacheEntry('vid_fence01', 'audio', claimId, 'late duplicate', 'failed', at(2 * MINUTE))).toBeNull();
      expect(await store.completeCacheEntry('vid_fence01', 'audio', claimId, completion({ file_id: 'other' }), at(2 * MINUTE))).toBeNull();
      expect(await store.getCacheEntry('vid_fence01', 'audio')).toEqual(ready);
    });

    it('lets one of many concurrent copies of a job start the upload, and another only after a release or the lease', async () => {
      const { entry } = await store.claimCacheEntry('vid_lease01', 'audio', { now: at(0), retryAfterMs: COOL_DOWN });
      const claimId = entry.claim_id!;
      const lease = { now: at(MINUTE), leaseMs: 5 * MINUTE };
      const starts = await Promise.all(Array.from({ length: 10 }, () => store.startCacheUpload('vid_lease01', 'audio', claimId, lease)));
      expect(starts.filter((start) => start.started)).toHaveLength(1);
      for (const start of starts) expect(start.entry).toMatchObject({ status: 'pending', claim_id: claimId, lease_until: at(6 * MINUTE), updated_at: at(MINUTE) });
      expect((await store.startCacheUpload('vid_lease01', 'audio', claimId, { ...lease, now: at(6 * MINUTE - 1) })).started).toBe(false);
      expect((await store.startCacheUpload('vid_lease01', 'audio', claimId, { ...lease, now: at(6 * MINUTE) })).started).toBe(true);
      expect(await store.releaseCacheUpload('vid_lease01', 'audio', 'another-claim')).toBe(false);
      expect(await store.releaseCacheUpload('vid_lease01', 'audio', claimId)).toBe(true);
      expect((await store.startCacheUpload('vid_lease01', 'audio', claimId, { ...lease, now: at(7 * MINUTE) })).started).toBe(true);
      expect((await store.startCacheUpload('vid_lease01', 'audio', 'another-claim', { ...lease, now: at(60 * MINUTE) })).started).toBe(false);
      // Starting moves updated_at: the pending timeout counts from the upload's start, not the claim.
      const options = { retryAfterMs: COOL_DOWN, pendingTimeoutMs: 30 * MINUTE };
      expect((await store.claimCacheEntry('vid_lease01', 'audio', { ...options, now: at(36 * MINUTE) })).claimed).toBe(false);
      const reclaimed = await store.claimCacheEntry('vid_lease01', 'audio', { ...options, now: at(37 * MINUTE) });
      expect(reclaimed).toMatchObject({ claimed: true, entry: { lease_until: null } });
      expect(reclaimed.entry.claim_id).not.toBe(claimId);
      expect(await store.startCacheUpload('missing_vid', 'audio', 'x', lease)).toEqual({ started: false, entry: null });
      // An upload that runs past the pending timeout keeps its claim while its lease lasts.
      const long = (await store.claimCacheEntry('vid_lease02', 'audio', { now: at(0), retryAfterMs: COOL_DOWN })).entry.claim_id!;
      await store.startCacheUpload('vid_lease02', 'audio', long, { now: at(0), leaseMs: 45 * MINUTE });
      expect((await store.claimCacheEntry('vid_lease02', 'audio', { ...options, now: at(40 * MINUTE) })).claimed).toBe(false);
      expect((await store.claimCacheEntry('vid_lease02', 'audio', { ...options, now: at(45 * MINUTE) })).claimed).toBe(true);
    });

    it('lists, counts and expires entries', async () => {
      const claim = async (id: string, minute: number) =>
        (await store.claimCacheEntry(id, 'audio', { now: at(minute * MINUTE), retryAfterMs: COOL_DOWN })).entry.claim_id!;
      const one = await claim('list_v1', 1);
      const two = await claim('list_v2', 2);
      const three = await claim('list_v3', 3);
      await claim('list_v4', 4);
      await store.completeCacheEntry('list_v1', 'audio', one, completion({ size: 1000, expires_at: at(DAY) }), at(5 * MINUTE));
      await store.completeCacheEntry('list_v2', 'audio', two, completion({ size: 500, expires_at: null }), at(6 * MINUTE));
      await store.failCacheEntry('list_v3', 'audio', three, 'timeout', 'failed', at(7 * MINUTE));

      const all = await store.listCacheEntries({ page: 1, pageSize: 3 });
      expect(all.total).toBe(4);
      expect(all.items.map((entry) => entry.video_id)).toEqual(['list_v3', 'list_v2', 'list_v1']);
      const ready = await store.listCacheEntries({ page: 1, pageSize: 10, status: 'ready' });
      expect([ready.total, ready.items.map((entry) => entry.video_id)]).toEqual([2, ['list_v2', 'list_v1']]);
      expect(await store.cacheStats()).toEqual({
        total: 4,
        pending: 1,
        ready: 2,
        failed: 1,
        stale: 0,
        too_large: 0,
        ready_bytes: 1500,
      });

      expect(await store.deleteExpiredCacheEntries(at(DAY - 1))).toBe(0);
      expect(await store.deleteExpiredCacheEntries(at(DAY))).toBe(1);
      expect(await store.getCacheEntry('list_v1', 'audio')).toBeNull();
      expect((await store.cacheStats()).total).toBe(3);
    });
  });
}
