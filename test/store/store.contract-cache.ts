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
      await store.claimCacheEntry('vid_ready01', 'audio', { now: at(0), retryAfterMs: COOL_DOWN });
      const done = await store.completeCacheEntry('vid_ready01', 'audio', completion(), at(MINUTE));
      expect(done).toMatchObject({ status: 'ready', ...completion(), updated_at: at(MINUTE), failure_reason: null, attempts: 1 });
      expect(await store.getCacheEntry('vid_ready01', 'audio')).toEqual(done);
      const early = await store.claimCacheEntry('vid_ready01', 'audio', { now: at(30 * DAY - 1), retryAfterMs: COOL_DOWN });
      expect(early).toEqual({ claimed: false, entry: done });
      const expired = await store.claimCacheEntry('vid_ready01', 'audio', { now: at(30 * DAY), retryAfterMs: COOL_DOWN });
      expect(expired.claimed).toBe(true);
      expect(expired.entry).toMatchObject({ status: 'pending', attempts: 2, claimed_at: at(30 * DAY) });
      expect(await store.completeCacheEntry('missing_vid', 'audio', completion())).toBeNull();
      await expect(store.completeCacheEntry('vid_ready01', 'audio', completion({ size: -1 }))).rejects.toMatchObject({
        code: 'request.invalid',
      });
    });

    it('re-claims a failed entry after the cool-down, a stale one at once', async () => {
      await store.claimCacheEntry('vid_fail001', 'video', { now: at(0), retryAfterMs: COOL_DOWN });
      const failed = await store.failCacheEntry('vid_fail001', 'video', 'Telegram answered 400: Bad Request', 'failed', at(MINUTE));
      expect(failed).toMatchObject({ status: 'failed', failure_reason: 'Telegram answered 400: Bad Request', updated_at: at(MINUTE) });
      const cooling = await store.claimCacheEntry('vid_fail001', 'video', { now: at(MINUTE + COOL_DOWN - 1), retryAfterMs: COOL_DOWN });
      expect(cooling).toEqual({ claimed: false, entry: failed });
      const again = await store.claimCacheEntry('vid_fail001', 'video', { now: at(MINUTE + COOL_DOWN), retryAfterMs: COOL_DOWN });
      expect(again.claimed).toBe(true);
      expect(again.entry).toMatchObject({ status: 'pending', attempts: 2, failure_reason: 'Telegram answered 400: Bad Request' });

      await store.completeCacheEntry('vid_fail001', 'video', completion(), at(2 * COOL_DOWN));
      const stale = await store.markCacheEntryStale('vid_fail001', 'video', 'getFile answered 400', at(3 * COOL_DOWN));
      expect(stale).toMatchObject({ status: 'stale', file_id: completion().file_id });
      const reclaimed = await store.claimCacheEntry('vid_fail001', 'video', { now: at(3 * COOL_DOWN), retryAfterMs: COOL_DOWN });
      expect(reclaimed).toMatchObject({ claimed: true, entry: { status: 'pending', attempts: 3 } });
      expect(await store.failCacheEntry('missing_vid', 'video', 'x')).toBeNull();
    });

    it('keeps a too-large entry, and frees a pending claim whose worker died', async () => {
      await store.claimCacheEntry('vid_large01', 'video', { now: at(0), retryAfterMs: COOL_DOWN });
      await store.failCacheEntry('vid_large01', 'video', 'file is 80 MB, over the 50 MB upload limit', 'too_large', at(MINUTE));
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

    it('lists, counts and expires entries', async () => {
      const claim = (id: string, minute: number) =>
        store.claimCacheEntry(id, 'audio', { now: at(minute * MINUTE), retryAfterMs: COOL_DOWN });
      await claim('list_v1', 1);
      await claim('list_v2', 2);
      await claim('list_v3', 3);
      await claim('list_v4', 4);
      await store.completeCacheEntry('list_v1', 'audio', completion({ size: 1000, expires_at: at(DAY) }), at(5 * MINUTE));
      await store.completeCacheEntry('list_v2', 'audio', completion({ size: 500, expires_at: null }), at(6 * MINUTE));
      await store.failCacheEntry('list_v3', 'audio', 'timeout', 'failed', at(7 * MINUTE));

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
