import { DurableObject } from 'cloudflare:workers';
import { istDay, istDayStart, nextIstMidnight } from './ist-calendar';

/**
 * One QuotaCounter per API key, named by the key's hash. It counts the key's
 * requests per IST day and keeps the few fields of the key record a request
 * needs (limit, expiry, active), so the hot path is this one call and the
 * store is not asked while the copy is fresh — or while the store is down.
 *
 * Read-check-write in `consume` happens on the object's single thread with
 * the count held in memory, so it is atomic: with limit N, exactly N pass.
 */
export interface KeySnapshot {
  id: string;
  tier: 'user' | 'admin';
  daily_limit: number;
  /** Epoch ms; null = never. */
  expires_at: number | null;
  active: boolean;
  /** The record's version: of two copies, the higher one is newer. */
  version: number;
}

export type ConsumeOutcome =
  | { kind: 'unknown' }
  | { kind: 'invalid' }
  | { kind: 'expired'; key: KeySnapshot; stale: boolean }
  | { kind: 'revoked'; key: KeySnapshot; stale: boolean }
  | { kind: 'exceeded'; key: KeySnapshot; limit: number; used: number; resetAt: number; day: string }
  | { kind: 'allowed'; key: KeySnapshot; limit: number; used: number; resetAt: number; day: string; stale: boolean; firstUse?: boolean }
  /** A link started from its first byte more often than its cap (useLink `restarts`). */
  | { kind: 'restarts_exceeded'; key: KeySnapshot; max: number };

/** A request of a link that starts the whole file again, and how many such restarts a link may have. */
export interface LinkRestart {
  max: number;
}

/** How long a key copy is trusted before the Worker refreshes it in the background. */
export const SNAPSHOT_FRESH_MS = 5 * 60 * 1000;
const KEEP_DAYS = 40;
/** Stream links seen, held in memory up to this many; storage holds them all until they expire. */
const LINKS_IN_MEMORY = 5_000;
/**
 * The day counts are read far less often than written (each request writes, only the object
 * reads them back after an eviction), so they are held in memory and written together.
 *
 * How long to hold them is a matter of price. While the object holds a timer it cannot
 * hibernate, and an idle object that cannot hibernate is billed for its duration: 128 MB at
 * $12.50 a million GB-s, about $1.60 a million object-seconds (and the Free plan's 13,000 GB-s a
 * day are about 28 object-hours). A row written costs $1.00 a million. So holding unsaved counts
 * through more than 0.625 s of silence costs more than writing them: the counts are written once
 * the key has been quiet that long (never more than twice what the best choice would have cost,
 * when the next request cannot be foreseen: "rent or buy"), every QUOTA_FLUSH_MS (default 10 s)
 * while it stays busy, or at once past FLUSH_AFTER_COUNTS unsaved. A busy key costs one write per
 * 10 s whatever its rate (its object is in use anyway); a quiet key's object holds no timer 0.625 s
 * after its request, instead of ten seconds, and may hibernate.
 */
export const DEFAULT_FLUSH_MS = 10_000;
export const IDLE_HOLD_MS = 625;
const FLUSH_AFTER_COUNTS = 1_000;

/** QUOTA_FLUSH_MS from the object's env: whole milliseconds, 10 ms to 10 minutes; anything else is the default. */
export function flushIntervalOf(env: Record<string, unknown>): number {
  const value = Number(env.QUOTA_FLUSH_MS);
  return Number.isInteger(value) && value >= 10 && value <= 600_000 ? value : DEFAULT_FLUSH_MS;
}

export class QuotaCounter extends DurableObject<Record<string, unknown>> {
  private cleanupScheduled = false;
  // In-memory copies of what storage holds, so the hot path reads no storage.
  private snapshotCache: { key: KeySnapshot | null; fetchedAt: number } | null | undefined;
  private readonly counts = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private unsaved = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly flushMs: number = flushIntervalOf(this.env);
  private readonly holdMs: number = Math.min(IDLE_HOLD_MS, this.flushMs);
  /** When the oldest unsaved count and the latest count were made (the object's clock, epoch ms). */
  private unsavedSince = 0;
  private lastCountAt = 0;
  /** Stream link id → its expiry (epoch ms): links whose first request was counted. */
  private readonly seenLinks = new Map<string, number>();
  /** Stream link id → its whole-file restarts so far (storage: `restarts:<id>` → [count, link expiry]). */
  private readonly restarts = new Map<string, number>();
  /** Uploads queued by this key's t.me-shape requests and not known to be done → until when they hold a place. */
  private uploads: Map<string, number> | undefined;

  /** Counts one request if the key may make it. `record` primes an unknown object. */
  async consume(nowMs: number, record?: KeySnapshot | null): Promise<ConsumeOutcome> {
    if (record !== undefined) await this.remember(record, nowMs);
    const state = await this.snapshot();
    if (!state) return { kind: 'unknown' };
    // Only a deleted key leaves an object without a key: unknown keys never reach storage.
    if (!state.key) return { kind: 'invalid' };
    const key = state.key;
    const stale = nowMs - state.fetchedAt > SNAPSHOT_FRESH_MS;
    // A refused key is refreshed too: a reactivation whose push was lost still arrives.
    if (!key.active) return { kind: 'revoked', key, stale };
    if (key.expires_at !== null && key.expires_at <= nowMs) return { kind: 'expired', key, stale };

    const day = istDay(nowMs);
    const resetAt = nextIstMidnight(nowMs);
    // From here to the write there is no await: the object's single thread makes it atomic.
    const used = await this.usedOn(day);
    if (used >= key.daily_limit) return { kind: 'exceeded', key, limit: key.daily_limit, used, resetAt, day };
    this.setCount(day, used + 1);
    this.scheduleCleanup(nowMs);
    return { kind: 'allowed', key, limit: key.daily_limit, used: used + 1, resetAt, day, stale };
  }

  /**
   * `consume` for a caller that already holds the key's copy at `heldVersion`: an allowed
   * request whose copy is fresh and of that version is answered with today's count alone.
   * Every check is the same; only the answer is smaller, and a smaller answer is a cheaper
   * call (the key's fields need not cross on every request). Anything else — a refusal, a
   * stale or changed copy — is answered in full.
   */
  async consumeHeld(nowMs: number, heldVersion: number): Promise<ConsumeOutcome | number> {
    const outcome = await this.consume(nowMs);
    return outcome.kind === 'allowed' && !outcome.stale && (outcome.key.version ?? 0) === heldVersion ? outcome.used : outcome;
  }

  /**
   * A request of a stream link: the link's first request counts one unit of
   * quota (like any request), every later one — the ranges and segments a
   * player asks for — only checks the key. `firstUse` says which it was.
   */
  async useLink(nowMs: number, linkId: string, linkExpiresAt: number, record?: KeySnapshot | null, restart?: LinkRestart): Promise<ConsumeOutcome> {
    if (record !== undefined) await this.remember(record, nowMs);
    if (await this.linkSeen(linkId, nowMs)) {
      const outcome = await this.check(nowMs);
      if (!restart || outcome.kind !== 'allowed') return outcome;
      // Each whole-file restart of a started link proxies the file again: capped per link.
      const restarts = (await this.restartsOf(linkId)) + 1;
      if (restarts > restart.max) return { kind: 'restarts_exceeded', key: outcome.key, max: restart.max };
      this.restarts.set(linkId, restarts);
      void this.ctx.storage.put(`restarts:${linkId}`, [restarts, linkExpiresAt], { allowUnconfirmed: true });
      return outcome;
    }
    const outcome = await this.consume(nowMs);
    if (outcome.kind !== 'allowed') return outcome;
    // Another request of this link may have been counted while this one waited for storage.
    if (this.seenLinks.has(linkId)) {
      await this.refund(outcome.day);
      return this.check(nowMs);
    }
    this.rememberLink(linkId, linkExpiresAt);
    void this.ctx.storage.put(`link:${linkId}`, linkExpiresAt, { allowUnconfirmed: true });
    return { ...outcome, firstUse: true };
  }

  /**
   * A request that counts whatever came before it, and makes its link known,
   * so that the link's later requests are free (a file read from its first byte).
   */
  async consumeNotingLink(nowMs: number, linkId: string, linkExpiresAt: number, record?: KeySnapshot | null): Promise<ConsumeOutcome> {
    const outcome = await this.consume(nowMs, record);
    if (outcome.kind !== 'allowed') return outcome;
    this.rememberLink(linkId, linkExpiresAt);
    void this.ctx.storage.put(`link:${linkId}`, linkExpiresAt, { allowUnconfirmed: true });
    return outcome;
  }

  /** A first request that failed on our side or was rate-limited: its unit back, and the next request is first again. */
  async releaseLink(day: string, linkId: string): Promise<void> {
    this.seenLinks.delete(linkId);
    await this.ctx.storage.delete(`link:${linkId}`);
    await this.refund(day);
  }

  /**
   * Holds a place for an upload the key's request is about to queue (the t.me shapes):
   * at most `cap` at once, each until it is dropped or `holdUntil`. The same upload
   * asked again keeps its one place. Refused: the uploads that hold the places.
   */
  async holdUpload(uploadId: string, nowMs: number, cap: number, holdUntil: number): Promise<{ held: true } | { held: false; pending: string[] }> {
    const uploads = await this.heldUploads(nowMs);
    if (!uploads.has(uploadId) && uploads.size >= cap) return { held: false, pending: [...uploads.keys()] };
    uploads.set(uploadId, holdUntil);
    void this.ctx.storage.put('uploads', Object.fromEntries(uploads), { allowUnconfirmed: true });
    return { held: true };
  }

  /** Uploads that are no longer pending (landed, failed, or never queued) give their place back. */
  async dropUploads(uploadIds: string[]): Promise<void> {
    const uploads = await this.heldUploads(Date.now());
    for (const uploadId of uploadIds) uploads.delete(uploadId);
    void this.ctx.storage.put('uploads', Object.fromEntries(uploads), { allowUnconfirmed: true });
  }

  /** Gives back a request that failed on the service's side (5xx). */
  async refund(day: string): Promise<void> {
    const used = await this.usedOn(day);
    if (used > 0) this.setCount(day, used - 1);
  }

  /** Checks the key without counting (stream links minted for it). */
  async check(nowMs: number): Promise<ConsumeOutcome> {
    const state = await this.snapshot();
    if (!state) return { kind: 'unknown' };
    if (!state.key) return { kind: 'invalid' };
    const key = state.key;
    const stale = nowMs - state.fetchedAt > SNAPSHOT_FRESH_MS;
    if (!key.active) return { kind: 'revoked', key, stale };
    if (key.expires_at !== null && key.expires_at <= nowMs) return { kind: 'expired', key, stale };
    const day = istDay(nowMs);
    return { kind: 'allowed', key, limit: key.daily_limit, used: await this.usedOn(day), resetAt: nextIstMidnight(nowMs), day, stale };
  }

  /**
   * Admin changes and refreshes land here. The newer copy wins: a refresh
   * that read the store before an admin change carries a lower version and
   * is ignored (an equal one only renews the copy's age). null marks the key
   * deleted, for good: no older copy brings it back. Returns whether the
   * copy was taken.
   */
  async remember(record: KeySnapshot | null, nowMs: number = Date.now()): Promise<boolean> {
    const held = await this.snapshot();
    if (held && held.key === null) return false;
    if (held?.key && record && (record.version ?? 0) < (held.key.version ?? 0)) return false;
    this.snapshotCache = { key: record, fetchedAt: nowMs };
    void this.ctx.storage.put('snapshot', this.snapshotCache);
    return true;
  }

  /** Requests counted per IST day, oldest first, for the last `days` days. */
  async usage(nowMs: number, days: number): Promise<Array<{ date: string; count: number }>> {
    const today = istDayStart(istDay(nowMs));
    const dates = Array.from({ length: days }, (_, index) => istDay(today - (days - 1 - index) * 24 * 3600_000));
    return Promise.all(dates.map(async (date) => ({ date, count: await this.usedOn(date) })));
  }

  override async alarm(): Promise<void> {
    this.cleanupScheduled = false;
    const oldest = `day:${istDay(Date.now() - KEEP_DAYS * 24 * 3600_000)}`;
    const old = await this.ctx.storage.list({ prefix: 'day:', end: oldest });
    await this.ctx.storage.delete([...old.keys()]);
    for (const key of old.keys()) this.counts.delete(key.slice(4));
    const now = Date.now();
    const links = await this.ctx.storage.list<number>({ prefix: 'link:' });
    const expired = [...links].filter(([, expiresAt]) => expiresAt <= now).map(([name]) => name);
    for (let start = 0; start < expired.length; start += 128) await this.ctx.storage.delete(expired.slice(start, start + 128));
    for (const name of expired) this.seenLinks.delete(name.slice(5));
    const restarts = await this.ctx.storage.list<[number, number]>({ prefix: 'restarts:' });
    const ended = [...restarts].filter(([, [, expiresAt]]) => expiresAt <= now).map(([name]) => name);
    for (let start = 0; start < ended.length; start += 128) await this.ctx.storage.delete(ended.slice(start, start + 128));
    for (const name of ended) this.restarts.delete(name.slice('restarts:'.length));
  }

  private async linkSeen(linkId: string, nowMs: number): Promise<boolean> {
    let expiresAt = this.seenLinks.get(linkId);
    if (expiresAt === undefined) {
      expiresAt = await this.ctx.storage.get<number>(`link:${linkId}`);
      if (expiresAt !== undefined && !this.seenLinks.has(linkId)) this.rememberLink(linkId, expiresAt);
    }
    return expiresAt !== undefined && expiresAt > nowMs;
  }

  private async restartsOf(linkId: string): Promise<number> {
    const held = this.restarts.get(linkId);
    if (held !== undefined) return held;
    const stored = (await this.ctx.storage.get<[number, number]>(`restarts:${linkId}`))?.[0] ?? 0;
    const count = this.restarts.get(linkId) ?? stored;
    this.restarts.set(linkId, count);
    if (this.restarts.size > LINKS_IN_MEMORY) this.restarts.delete(this.restarts.keys().next().value!);
    return count;
  }

  private rememberLink(linkId: string, expiresAt: number): void {
    this.seenLinks.set(linkId, expiresAt);
    if (this.seenLinks.size > LINKS_IN_MEMORY) this.seenLinks.delete(this.seenLinks.keys().next().value!);
  }

  private async heldUploads(nowMs: number): Promise<Map<string, number>> {
    if (!this.uploads) {
      const stored = (await this.ctx.storage.get<Record<string, number>>('uploads')) ?? {};
      this.uploads ??= new Map(Object.entries(stored));
    }
    for (const [uploadId, until] of this.uploads) if (until <= nowMs) this.uploads.delete(uploadId);
    return this.uploads;
  }

  private async usedOn(day: string): Promise<number> {
    const held = this.counts.get(day);
    if (held !== undefined) return held;
    const stored = (await this.ctx.storage.get<number>(`day:${day}`)) ?? 0;
    // Another call may have counted while this one read storage.
    const count = this.counts.get(day) ?? stored;
    this.counts.set(day, count);
    return count;
  }

  /**
   * The object answers from memory and writes its counts once the key has
   * been quiet for holdMs, or every flushMs while it stays busy, or at once
   * past FLUSH_AFTER_COUNTS unsaved counts, without holding responses for the
   * disk (allowUnconfirmed): a busy key costs one write per interval, whatever
   * its rate. A crash can forget the last interval's counting (at most
   * FLUSH_AFTER_COUNTS requests), the price of a hot path that never waits for
   * storage; an eviction or a hibernation does not, as the object holds its
   * timer until the counts are written.
   */
  private setCount(day: string, count: number): void {
    const now = Date.now();
    this.counts.set(day, count);
    this.dirty.add(day);
    if (this.unsaved === 0) this.unsavedSince = now;
    this.lastCountAt = now;
    this.unsaved += 1;
    if (this.unsaved >= FLUSH_AFTER_COUNTS) return this.flush();
    // One timer, moved on when it fires rather than reset per request: the hot path only notes the time.
    this.flushTimer ??= setTimeout(() => this.flushWhenDue(), this.holdMs);
  }

  private flushWhenDue(): void {
    this.flushTimer = undefined;
    const due = Math.min(this.lastCountAt + this.holdMs, this.unsavedSince + this.flushMs);
    const wait = due - Date.now();
    if (wait > 0 && this.unsaved > 0) this.flushTimer = setTimeout(() => this.flushWhenDue(), wait);
    else this.flush();
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.unsaved = 0;
    if (this.dirty.size === 0) return;
    const entries: Record<string, number> = {};
    for (const dirtyDay of this.dirty) entries[`day:${dirtyDay}`] = this.counts.get(dirtyDay) ?? 0;
    this.dirty.clear();
    void this.ctx.storage.put(entries, { allowUnconfirmed: true });
  }

  private async snapshot(): Promise<{ key: KeySnapshot | null; fetchedAt: number } | null> {
    if (this.snapshotCache === undefined) {
      this.snapshotCache = (await this.ctx.storage.get<{ key: KeySnapshot | null; fetchedAt: number }>('snapshot')) ?? null;
    }
    return this.snapshotCache;
  }

  /** Old days are dropped by an alarm once a day; counting never depends on it. */
  private scheduleCleanup(nowMs: number): void {
    if (this.cleanupScheduled) return;
    this.cleanupScheduled = true;
    void this.ctx.storage.getAlarm().then((alarm) => {
      if (alarm === null) return this.ctx.storage.setAlarm(nextIstMidnight(Math.max(nowMs, Date.now())) + 60_000);
    });
  }
}
