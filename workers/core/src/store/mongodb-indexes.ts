import type { Db } from 'mongodb';
import { COLLECTIONS } from './mongo-shared';

/**
 * The indexes docs/store.md lists for the Data API backend, created by the
 * driver backend itself on first use (createIndexes is a no-op for an index
 * that exists with the same options). The logs' TTL follows
 * LOG_RETENTION_DAYS: when the setting changes, collMod moves the index to it.
 */
const INDEX_OPTIONS_CONFLICT = [85, 86];

export async function ensureIndexes(db: Db, logRetentionDays: number): Promise<void> {
  const logTtlSeconds = logRetentionDays * 86_400;
  await db.collection(COLLECTIONS.keys).createIndexes([
    { key: { key_hash: 1 }, unique: true },
    { key: { created_at: -1, _id: 1 } },
  ]);
  await db.collection(COLLECTIONS.cache).createIndexes([
    { key: { video_id: 1, type: 1 }, unique: true },
    { key: { expires_at: 1 }, expireAfterSeconds: 0 },
    { key: { status: 1, updated_at: -1 } },
  ]);
  await db.collection(COLLECTIONS.logs).createIndexes([
    { key: { request_id: 1 }, unique: true },
    { key: { key_id: 1, time: 1 } },
    { key: { endpoint: 1, time: 1 } },
  ]);
  try {
    await db.collection(COLLECTIONS.logs).createIndex({ time: 1 }, { expireAfterSeconds: logTtlSeconds });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'number' || !INDEX_OPTIONS_CONFLICT.includes(code)) throw error;
    await db.command({ collMod: COLLECTIONS.logs, index: { keyPattern: { time: 1 }, expireAfterSeconds: logTtlSeconds } });
  }
}
