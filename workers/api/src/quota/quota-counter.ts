import { DurableObject } from 'cloudflare:workers';
import { istDay, istDayStart, nextIstMidnight } from './ist-calendar';

/**
 * One QuotaCounter per API key, named by the key's hash. It counts the key's
 * requests per IST day and keeps the few fields of the key record a request
 * needs (limit, expiry, active), so the hot path is this one call and the
 * store is not asked while the copy is fresh — or while the store is down.
 *
 * Read-check-write in `consume` runs without an await in between, so the
 * object's single thread makes it atomic: with limit N, exactly N pass.
 */
export interface KeySnapshot {
  id: string;
  tier: 'user' | 'admin';
  daily_limit: number;
  /** Epoch ms; null = never. */
  expires_at: number | null;
  active: boolean;
}

export type ConsumeOutcome =
  | { kind: 'unknown' }
  | { kind: 'invalid' }
  | { kind: 'expired'; key: KeySnapshot }
  | { kind: 'revoked'; key: KeySnapshot }
  | { kind: 'exceeded'; key: KeySnapshot; limit: number; used: number; resetAt: number; day: string }
  | { kind: 'allowed'; key: KeySnapshot; limit: number; used: number; resetAt: number; day: string; stale: boolean };

/** How long a key copy is trusted before the Worker refreshes it in the background. */
const SNAPSHOT_FRESH_MS = 5 * 60 * 1000;
/** An unknown hash is remembered briefly so a flood of bad keys does not reach the store. */
const NEGATIVE_TTL_MS = 60 * 1000;
const KEEP_DAYS = 40;

export class QuotaCounter extends DurableObject<Record<string, unknown>> {
  private readonly sql: SqlStorage;
  private cleanupScheduled = false;
  // In-memory copies of what SQL holds, so the hot path reads no storage; SQL stays the durable truth.
  private snapshotCache: { key: KeySnapshot | null; fetchedAt: number } | null | undefined;
  private todayCache: { day: string; count: number } | undefined;

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS usage (day TEXT PRIMARY KEY, count INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT, known INTEGER NOT NULL, fetched_at INTEGER NOT NULL)`);
  }

  /** Counts one request if the key may make it. `record` primes an unknown object. */
  consume(nowMs: number, record?: KeySnapshot | null): ConsumeOutcome {
    if (record !== undefined) this.remember(record, nowMs);
    const state = this.snapshot();
    if (!state) return { kind: 'unknown' };
    if (!state.key) return nowMs - state.fetchedAt < NEGATIVE_TTL_MS ? { kind: 'invalid' } : { kind: 'unknown' };
    const key = state.key;
    if (!key.active) return { kind: 'revoked', key };
    if (key.expires_at !== null && key.expires_at <= nowMs) return { kind: 'expired', key };

    const day = istDay(nowMs);
    const resetAt = nextIstMidnight(nowMs);
    const used = this.usedOn(day);
    if (used >= key.daily_limit) return { kind: 'exceeded', key, limit: key.daily_limit, used, resetAt, day };
    this.sql.exec(`INSERT INTO usage (day, count) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET count = count + 1`, day);
    this.todayCache = { day, count: used + 1 };
    this.scheduleCleanup(nowMs);
    return { kind: 'allowed', key, limit: key.daily_limit, used: used + 1, resetAt, day, stale: nowMs - state.fetchedAt > SNAPSHOT_FRESH_MS };
  }

  /** Gives back a request that failed on the service's side (5xx). */
  refund(day: string): void {
    this.sql.exec(`UPDATE usage SET count = count - 1 WHERE day = ? AND count > 0`, day);
    this.todayCache = undefined;
  }

  /** Checks the key without counting (stream links minted for it). */
  check(nowMs: number): ConsumeOutcome {
    const state = this.snapshot();
    if (!state?.key) return { kind: 'unknown' };
    const key = state.key;
    if (!key.active) return { kind: 'revoked', key };
    if (key.expires_at !== null && key.expires_at <= nowMs) return { kind: 'expired', key };
    const day = istDay(nowMs);
    return { kind: 'allowed', key, limit: key.daily_limit, used: this.usedOn(day), resetAt: nextIstMidnight(nowMs), day, stale: false };
  }

  /** Admin changes land here at once; null forgets the key (deleted). */
  remember(record: KeySnapshot | null, nowMs: number = Date.now()): void {
    this.sql.exec(
      `INSERT INTO snapshot (id, json, known, fetched_at) VALUES (1, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET json = excluded.json, known = excluded.known, fetched_at = excluded.fetched_at`,
      record ? JSON.stringify(record) : null,
      record ? 1 : 0,
      nowMs,
    );
    this.snapshotCache = { key: record, fetchedAt: nowMs };
  }

  /** Requests counted per IST day, oldest first, for the last `days` days. */
  usage(nowMs: number, days: number): Array<{ date: string; count: number }> {
    const result: Array<{ date: string; count: number }> = [];
    const today = istDayStart(istDay(nowMs));
    for (let i = days - 1; i >= 0; i--) {
      const date = istDay(today - i * 24 * 3600_000);
      result.push({ date, count: this.usedOn(date) });
    }
    return result;
  }

  override async alarm(): Promise<void> {
    this.cleanupScheduled = false;
    this.todayCache = undefined;
    const oldest = istDay(Date.now() - KEEP_DAYS * 24 * 3600_000);
    this.sql.exec(`DELETE FROM usage WHERE day < ?`, oldest);
  }

  private usedOn(day: string): number {
    if (this.todayCache?.day === day) return this.todayCache.count;
    const row = this.sql.exec<{ count: number }>(`SELECT count FROM usage WHERE day = ?`, day).toArray()[0];
    return row?.count ?? 0;
  }

  private snapshot(): { key: KeySnapshot | null; fetchedAt: number } | null {
    if (this.snapshotCache !== undefined) return this.snapshotCache;
    const row = this.sql.exec<{ json: string | null; known: number; fetched_at: number }>(`SELECT json, known, fetched_at FROM snapshot WHERE id = 1`).toArray()[0];
    this.snapshotCache = row ? { key: row.known && row.json ? (JSON.parse(row.json) as KeySnapshot) : null, fetchedAt: row.fetched_at } : null;
    return this.snapshotCache;
  }

  /** Old days are dropped by an alarm once a day; counting never depends on it. */
  private scheduleCleanup(nowMs: number): void {
    if (this.cleanupScheduled) return;
    this.cleanupScheduled = true;
    void this.ctx.storage.getAlarm().then((alarm) => {
      if (alarm === null) return this.ctx.storage.setAlarm(nextIstMidnight(nowMs) + 60_000);
    });
  }
}
