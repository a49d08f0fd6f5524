import { AppError, isAppError } from '../errors';
import { parseStored, storedLogRecord } from './shared';
import {
  ApiKeyRecordSchema,
  CacheEntrySchema,
  type ApiKeyRecord,
  type CacheEntry,
  type LogRecord,
} from './types';

/**
 * D1 keeps times as epoch milliseconds and booleans as 0/1; these map rows
 * back to records (validated like any other answer) and D1 failures to
 * store errors.
 */

export type Row = Record<string, unknown>;

/** Runs D1 calls, turning driver errors into store errors that name the operation only. */
export async function d1<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isAppError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/UNIQUE constraint failed|PRIMARY KEY must be unique/i.test(message)) {
      throw new AppError('store.conflict', `The metadata store already holds this record (${operation}).`);
    }
    throw new AppError('store.unavailable', `The D1 metadata store failed during ${operation}.`, {
      cause: error,
      logDetails: { backend: 'd1', operation },
    });
  }
}

export function ms(date: Date | null | undefined): number | null {
  return date ? date.getTime() : null;
}

function date(value: unknown): Date | null | unknown {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? new Date(value) : value;
}

function bool(value: unknown): boolean | unknown {
  return value === 0 || value === 1 ? value === 1 : value;
}

export function keyFromRow(row: Row): ApiKeyRecord {
  return parseStored(
    ApiKeyRecordSchema,
    {
      ...row,
      created_at: date(row.created_at),
      expires_at: date(row.expires_at),
      last_used_at: date(row.last_used_at),
      active: bool(row.active),
    },
    'API key',
  );
}

export function logFromRow(row: Row): LogRecord {
  return storedLogRecord({ ...row, time: date(row.time) });
}

export function cacheFromRow(row: Row): CacheEntry {
  return parseStored(
    CacheEntrySchema,
    {
      ...row,
      cached_at: date(row.cached_at),
      expires_at: date(row.expires_at),
      claimed_at: date(row.claimed_at),
      updated_at: date(row.updated_at),
      lease_until: date(row.lease_until),
    },
    'cache entry',
  );
}

/** SUM() of no rows is NULL in SQL; counts are numbers here. */
export function count(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** SQL sums of the status classes, shared by every aggregate; a row counts its weight (LOG_SAMPLE_ONE_IN). */
export function statusClassSums(table = ''): string {
  return [2, 3, 4, 5]
    .map((digit) => `SUM(CASE WHEN ${table}status >= ${digit}00 AND ${table}status < ${digit + 1}00 THEN ${table}weight ELSE 0 END) AS status_${digit}xx`)
    .join(', ');
}

/** SQL sums of the cache outcomes, weighted as statusClassSums. */
export const CACHE_SUMS = `SUM(CASE WHEN cache = 'hit' THEN weight ELSE 0 END) AS cache_hits,
  SUM(CASE WHEN cache = 'miss' THEN weight ELSE 0 END) AS cache_misses`;
