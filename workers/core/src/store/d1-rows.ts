import { AppError, isAppError } from '../errors';
import { parseStored } from './shared';
import {
  ApiKeyRecordSchema,
  CacheEntrySchema,
  LogRecordSchema,
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
  return parseStored(LogRecordSchema, { ...row, time: date(row.time) }, 'log record');
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

/** SQL sums of the status classes, shared by every aggregate. */
export function statusClassSums(column = 'status'): string {
  return [2, 3, 4, 5]
    .map((digit) => `SUM(CASE WHEN ${column} >= ${digit}00 AND ${column} < ${digit + 1}00 THEN 1 ELSE 0 END) AS status_${digit}xx`)
    .join(', ');
}
