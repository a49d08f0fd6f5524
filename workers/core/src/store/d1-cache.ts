import { AppError } from '../errors';
import { cacheFromRow, count, d1, ms, type Row } from './d1-rows';
import { DEFAULT_PENDING_TIMEOUT_MS, paging, parseInput, statsFrom } from './shared';
import { CacheCompletionSchema, type CacheEntry, type MetadataStore } from './types';

type CacheOps = Pick<
  MetadataStore,
  | 'getCacheEntry'
  | 'claimCacheEntry'
  | 'startCacheUpload'
  | 'releaseCacheUpload'
  | 'completeCacheEntry'
  | 'failCacheEntry'
  | 'markCacheEntryStale'
  | 'listCacheEntries'
  | 'deleteExpiredCacheEntries'
  | 'cacheStats'
>;

/**
 * One statement claims: the upsert inserts a new pending entry, or takes
 * over an existing one only when its WHERE allows; RETURNING yields a row
 * only to the winner. D1 runs statements one at a time, so it is atomic.
 */
const CLAIM_SQL = `
  INSERT INTO cache_metadata (video_id, type, status, claimed_at, updated_at, attempts, claim_id, lease_until)
  VALUES (?1, ?2, 'pending', ?3, ?3, 1, ?6, NULL)
  ON CONFLICT (video_id, type) DO UPDATE SET status = 'pending', claimed_at = ?3, updated_at = ?3, attempts = attempts + 1,
    claim_id = ?6, lease_until = NULL
  WHERE (status = 'failed' AND updated_at <= ?4)
     OR status = 'stale'
     OR (status IN ('ready', 'too_large') AND expires_at IS NOT NULL AND expires_at <= ?3)
     OR (status = 'pending' AND updated_at <= ?5 AND (lease_until IS NULL OR lease_until <= ?3))
  RETURNING *`;

export function d1CacheOps(db: D1Database): CacheOps {
  const getCacheEntry = async (videoId: string, type: string): Promise<CacheEntry | null> => {
    const row = await d1('getCacheEntry', () =>
      db.prepare('SELECT * FROM cache_metadata WHERE video_id = ? AND type = ?').bind(videoId, type).first<Row>(),
    );
    return row ? cacheFromRow(row) : null;
  };

  /** `claim`: only while the entry is pending under this claim (a job's outcome); null: any entry (a stale file). */
  const setStatus = async (
    operation: string,
    videoId: string,
    type: string,
    claim: string | null,
    status: string,
    reason: string,
    now: Date,
  ): Promise<CacheEntry | null> => {
    const fence = claim === null ? '' : `AND status = 'pending' AND claim_id = ?6`;
    const row = await d1(operation, () =>
      db
        .prepare(
          `UPDATE cache_metadata SET status = ?1, failure_reason = ?2, updated_at = ?3, lease_until = NULL
           WHERE video_id = ?4 AND type = ?5 ${fence} RETURNING *`,
        )
        .bind(status, reason.slice(0, 500), now.getTime(), videoId, type, ...(claim === null ? [] : [claim]))
        .first<Row>(),
    );
    return row ? cacheFromRow(row) : null;
  };

  return {
    getCacheEntry,

    async claimCacheEntry(videoId, type, options) {
      const now = options.now.getTime();
      const pendingTimeout = options.pendingTimeoutMs ?? DEFAULT_PENDING_TIMEOUT_MS;
      // A loser that finds no entry lost to a concurrent delete: try again.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const won = await d1('claimCacheEntry', () =>
          db
            .prepare(CLAIM_SQL)
            .bind(videoId, type, now, now - options.retryAfterMs, now - pendingTimeout, crypto.randomUUID())
            .first<Row>(),
        );
        if (won) return { claimed: true, entry: cacheFromRow(won) };
        const entry = await getCacheEntry(videoId, type);
        if (entry) return { claimed: false, entry };
      }
      throw new AppError('store.conflict', 'The cache entry changed during the claim; try again.');
    },

    async startCacheUpload(videoId, type, claimId, options) {
      const now = options.now.getTime();
      const row = await d1('startCacheUpload', () =>
        db
          .prepare(
            `UPDATE cache_metadata SET lease_until = ?1, updated_at = ?2
             WHERE video_id = ?3 AND type = ?4 AND status = 'pending' AND claim_id = ?5
               AND (lease_until IS NULL OR lease_until <= ?2)
             RETURNING *`,
          )
          .bind(now + options.leaseMs, now, videoId, type, claimId)
          .first<Row>(),
      );
      if (row) return { started: true, entry: cacheFromRow(row) };
      return { started: false, entry: await getCacheEntry(videoId, type) };
    },

    async releaseCacheUpload(videoId, type, claimId) {
      const result = await d1('releaseCacheUpload', () =>
        db
          .prepare(`UPDATE cache_metadata SET lease_until = NULL WHERE video_id = ? AND type = ? AND status = 'pending' AND claim_id = ?`)
          .bind(videoId, type, claimId)
          .run(),
      );
      return result.meta.changes > 0;
    },

    async completeCacheEntry(videoId, type, claimId, fields, now = new Date()) {
      const done = parseInput(CacheCompletionSchema, fields, 'cache completion');
      const row = await d1('completeCacheEntry', () =>
        db
          .prepare(
            `UPDATE cache_metadata SET status = 'ready', file_id = ?, file_unique_id = ?, message_id = ?, chat_id = ?,
               size = ?, mime = ?, title = ?, duration = ?, channel = ?, views = ?, thumbnail = ?, cached_at = ?, expires_at = ?,
               failure_reason = NULL, updated_at = ?, lease_until = NULL
             WHERE video_id = ? AND type = ? AND status = 'pending' AND claim_id = ? RETURNING *`,
          )
          .bind(
            done.file_id,
            done.file_unique_id,
            done.message_id,
            done.chat_id,
            done.size,
            done.mime,
            done.title,
            done.duration,
            done.channel,
            done.views,
            done.thumbnail,
            ms(done.cached_at),
            ms(done.expires_at),
            now.getTime(),
            videoId,
            type,
            claimId,
          )
          .first<Row>(),
      );
      return row ? cacheFromRow(row) : null;
    },

    failCacheEntry: (videoId, type, claimId, reason, status = 'failed', now = new Date()) =>
      setStatus('failCacheEntry', videoId, type, claimId, status, reason, now),

    markCacheEntryStale: (videoId, type, reason, now = new Date()) =>
      setStatus('markCacheEntryStale', videoId, type, null, 'stale', reason, now),

    async listCacheEntries(query) {
      const { limit, offset } = paging(query.page, query.pageSize);
      const where = query.status ? 'WHERE status = ?' : '';
      const params = query.status ? [query.status] : [];
      const [rows, total] = await d1('listCacheEntries', () =>
        db.batch<Row>([
          db
            .prepare(`SELECT * FROM cache_metadata ${where} ORDER BY updated_at DESC, video_id ASC, type ASC LIMIT ? OFFSET ?`)
            .bind(...params, limit, offset),
          db.prepare(`SELECT COUNT(*) AS total FROM cache_metadata ${where}`).bind(...params),
        ]),
      );
      return { items: (rows?.results ?? []).map(cacheFromRow), total: count(total?.results[0]?.total) };
    },

    async deleteExpiredCacheEntries(now) {
      const result = await d1('deleteExpiredCacheEntries', () =>
        db.prepare('DELETE FROM cache_metadata WHERE expires_at IS NOT NULL AND expires_at <= ?').bind(now.getTime()).run(),
      );
      return result.meta.changes;
    },

    async cacheStats() {
      const { results } = await d1('cacheStats', () =>
        db
          .prepare(
            `SELECT status, COUNT(*) AS total, SUM(CASE WHEN status = 'ready' THEN COALESCE(size, 0) ELSE 0 END) AS bytes
             FROM cache_metadata GROUP BY status`,
          )
          .all<Row>(),
      );
      return statsFrom(results.map((row) => ({ status: String(row.status), total: count(row.total), bytes: count(row.bytes) })));
    },
  };
}
