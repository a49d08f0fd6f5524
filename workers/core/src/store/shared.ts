import { AppError, toAppError } from '../errors';
import { toHex } from '../hash';
import type { z } from 'zod';
import {
  CACHE_STATUSES,
  LogRecordSchema,
  NewApiKeySchema,
  type ApiKeyRecord,
  type CacheStats,
  type LogRecord,
  type LogSummary,
  type PingResult,
  type RequestsOverTimeQuery,
  type StatusClassCounts,
  type StatusFilter,
  type TimeBucket,
  type TimeRange,
} from './types';

/**
 * Logic both backends share, so that they agree to the number: paging
 * bounds, time buckets, percentile ranks, the rates of a summary.
 */

export const MAX_PAGE_SIZE = 200;
/** Lists never page deeper than this many rows: a deeper page is a 400, never a store error or a long scan. */
export const MAX_OFFSET = 100_000;
export const MAX_BUCKETS = 10_000;
export const DEFAULT_PENDING_TIMEOUT_MS = 30 * 60_000;
const HOUR_MS = 3_600_000;

/** Random 12-hex-digit public id: unrelated to the key, so it reveals nothing of it. */
/** A backend's health check: one cheap call, timed; a failure is reported by its code, not thrown. */
export async function timedPing(backend: PingResult['backend'], probe: () => Promise<unknown>): Promise<PingResult> {
  const started = Date.now();
  try {
    await probe();
    return { ok: true, backend, latency_ms: Date.now() - started };
  } catch (error) {
    return { ok: false, backend, latency_ms: Date.now() - started, error: toAppError(error).code };
  }
}

export function newKeyId(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(6)));
}

/** The record a new key starts as, on either backend: validated input, active, unused, version 1. */
export function newKeyRecord(input: unknown): ApiKeyRecord {
  const key = parseInput(NewApiKeySchema, input, 'API key');
  return {
    id: key.id ?? newKeyId(),
    key_hash: key.key_hash,
    name: key.name,
    tier: key.tier,
    daily_limit: key.daily_limit,
    created_at: key.created_at ?? new Date(),
    expires_at: key.expires_at,
    active: true,
    last_used_at: null,
    total_used: 0,
    version: 1,
  };
}

export function paging(page: number, pageSize: number): { limit: number; offset: number } {
  if (!Number.isInteger(page) || page < 1) throw new AppError('request.invalid', 'page must be a whole number ≥ 1.');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AppError('request.invalid', `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  const offset = (page - 1) * pageSize;
  if (offset > MAX_OFFSET) throw new AppError('request.invalid', `page × page_size reaches past the first ${MAX_OFFSET} rows; narrow the filters instead.`);
  return { limit: pageSize, offset };
}

export function checkRange(range: TimeRange): void {
  const from = range.from.getTime();
  const to = range.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new AppError('request.invalid', 'from and to must be valid dates.');
  if (from > to) throw new AppError('request.invalid', 'from must not be after to.');
}

export interface BucketPlan {
  sizeMs: number;
  offsetMs: number;
  /** Bucket starts (epoch ms) covering [from, to). */
  starts: number[];
}

/**
 * A bucket of time t starts at floor((t + offset) / size) * size − offset.
 * Both backends compute the same expression; times before 1970 are not
 * expected (integer division truncates there).
 */
export function planBuckets(query: RequestsOverTimeQuery): BucketPlan {
  checkRange(query);
  const offsetMinutes = query.utcOffsetMinutes ?? 0;
  if (!Number.isInteger(offsetMinutes) || offsetMinutes < -720 || offsetMinutes > 840) {
    throw new AppError('request.invalid', 'utcOffsetMinutes must be a whole number from -720 to 840.');
  }
  const sizeMs = query.granularity === 'day' ? 24 * HOUR_MS : HOUR_MS;
  const offsetMs = offsetMinutes * 60_000;
  const from = query.from.getTime();
  const to = query.to.getTime();
  const first = bucketStart(from, sizeMs, offsetMs);
  const count = from === to ? 0 : Math.ceil((to - first) / sizeMs);
  if (count > MAX_BUCKETS) {
    throw new AppError('request.invalid', `The range holds ${count} buckets; at most ${MAX_BUCKETS} are allowed.`);
  }
  const starts = Array.from({ length: count }, (_, index) => first + index * sizeMs);
  return { sizeMs, offsetMs, starts };
}

export function bucketStart(time: number, sizeMs: number, offsetMs: number): number {
  const shifted = time + offsetMs;
  return shifted - (shifted % sizeMs) - offsetMs;
}

export interface SummaryCounts extends StatusClassCounts {
  total: number;
  cache_hits: number;
  cache_misses: number;
}

export interface BucketFigures extends SummaryCounts {
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

export function fillBuckets(plan: BucketPlan, counted: Map<number, BucketFigures>): TimeBucket[] {
  return plan.starts.map((start) => {
    const figures = counted.get(start);
    return {
      bucket_start: new Date(start),
      total: figures?.total ?? 0,
      status_2xx: figures?.status_2xx ?? 0,
      status_3xx: figures?.status_3xx ?? 0,
      status_4xx: figures?.status_4xx ?? 0,
      status_5xx: figures?.status_5xx ?? 0,
      latency_p50_ms: figures?.latency_p50_ms ?? null,
      latency_p95_ms: figures?.latency_p95_ms ?? null,
      cache_hits: figures?.cache_hits ?? 0,
      cache_misses: figures?.cache_misses ?? 0,
    };
  });
}

/** 1-based nearest rank ceil(p × n / 100), computed in integers to avoid float error. */
export function nearestRank(percent: number, count: number): number {
  return Math.floor((percent * count + 99) / 100);
}

export function buildSummary(counts: SummaryCounts, p50: number | null, p95: number | null): LogSummary {
  const share = (part: number) => (counts.total === 0 ? 0 : part / counts.total);
  const touched = counts.cache_hits + counts.cache_misses;
  return {
    ...counts,
    error_rate_4xx: share(counts.status_4xx),
    error_rate_5xx: share(counts.status_5xx),
    latency_p50_ms: counts.total === 0 ? null : p50,
    latency_p95_ms: counts.total === 0 ? null : p95,
    cache_hit_ratio: touched === 0 ? null : counts.cache_hits / touched,
  };
}

/** [min, max) of the statuses a filter selects. */
export function statusBounds(filter: StatusFilter): { min: number; max: number } {
  if (typeof filter === 'number') return { min: filter, max: filter + 1 };
  const hundred = Number(filter[0]) * 100;
  return { min: hundred, max: hundred + 100 };
}

/** Names are searched in lower case computed here, so both backends fold case alike. */
export function foldName(name: string): string {
  return name.toLowerCase();
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A record read back from a backend that fails its schema is the store's fault, not the caller's. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // Only the path and the issue code: a value could be a secret (a key hash).
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new AppError('store.invalid_answer', `The metadata store returned a malformed ${what} (${field}: ${issue?.code ?? 'invalid'}).`);
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new AppError('request.invalid', `Invalid ${what}: ${field} ${issue?.message ?? 'is invalid'}.`);
}

/** Counts per status (every status present, zero when none). */
export function statsFrom(groups: { status: string; total: number; bytes: number }[]): CacheStats {
  const stats = { total: 0, ready_bytes: 0 } as CacheStats;
  for (const status of CACHE_STATUSES) stats[status] = 0;
  for (const group of groups) {
    if ((CACHE_STATUSES as readonly string[]).includes(group.status)) stats[group.status as keyof CacheStats] = group.total;
    stats.total += group.total;
    stats.ready_bytes += group.bytes;
  }
  return stats;
}

/**
 * A stored log row or document as a LogRecord, on every backend alike: an unsampled request's
 * (weight absent or 1) reads back as it was written, without a weight.
 */
export function storedLogRecord({ weight, ...fields }: Record<string, unknown>): LogRecord {
  return parseStored(LogRecordSchema, { ...fields, ...(typeof weight === 'number' && weight > 1 ? { weight } : {}) }, 'log record');
}
