import { z } from 'zod';

/**
 * The metadata store: API keys, request logs and Telegram cache entries,
 * behind domain operations so that D1 and the Mongo Data API give the same
 * answers (the contract suite checks it). Records are validated with these
 * schemas whichever backend they come from.
 */

export const KEY_TIERS = ['user', 'admin'] as const;
export type KeyTier = (typeof KEY_TIERS)[number];

export const ApiKeyRecordSchema = z.object({
  /** Short public id, used in admin URLs and in logs (never the key). */
  id: z.string().min(1).max(64),
  /** SHA-256 of the key, lowercase hex. */
  key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  tier: z.enum(KEY_TIERS),
  daily_limit: z.number().int().nonnegative(),
  created_at: z.date(),
  /** null: never expires. */
  expires_at: z.date().nullable(),
  active: z.boolean(),
  last_used_at: z.date().nullable(),
  total_used: z.number().int().nonnegative(),
  /** 1 when created, one more with every updateKey: copies of the record compare by it. */
  version: z.number().int().positive().default(1),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecordSchema>;

export const NewApiKeySchema = z.object({
  /** Defaults to 12 random hex digits. */
  id: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/).optional(),
  key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().trim().min(1).max(200),
  tier: z.enum(KEY_TIERS),
  daily_limit: z.number().int().nonnegative(),
  expires_at: z.date().nullable(),
  created_at: z.date().optional(),
});
export type NewApiKey = z.input<typeof NewApiKeySchema>;

export const ApiKeyPatchSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  daily_limit: z.number().int().nonnegative().optional(),
  expires_at: z.date().nullable().optional(),
  active: z.boolean().optional(),
});
export type ApiKeyPatch = z.infer<typeof ApiKeyPatchSchema>;

/** active: usable now; expired: past expires_at (and not revoked); revoked: active=false. */
export type KeyStatusFilter = 'active' | 'expired' | 'revoked' | 'all';

export interface ListKeysQuery {
  page: number;
  pageSize: number;
  /** Case-insensitive substring of the name. */
  search?: string;
  status?: KeyStatusFilter;
  now: Date;
}

export const KeyUsageIncrementSchema = z.union([
  z.object({ id: z.string().min(1), count: z.number().int().positive(), last_used_at: z.date() }),
  z.object({ key_hash: z.string().regex(/^[0-9a-f]{64}$/), count: z.number().int().positive(), last_used_at: z.date() }),
]);
export type KeyUsageIncrement = z.infer<typeof KeyUsageIncrementSchema>;

export interface KeyCounts {
  total: number;
  active: number;
  expired: number;
  revoked: number;
}

/** Clips free text rather than refusing it: one long query must not sink a whole log batch. */
const clipped = (max: number) => z.string().transform((text) => text.slice(0, max));

/** The largest LOG_SAMPLE_ONE_IN: one logged request in ten thousand. */
export const MAX_LOG_WEIGHT = 10_000;

export const LogRecordSchema = z.object({
  request_id: z.string().min(1).max(128),
  time: z.date(),
  endpoint: clipped(200),
  method: clipped(16),
  key_id: z.string().nullable(),
  client_ip: clipped(64),
  status: z.number().int().min(0).max(999),
  error_code: clipped(100).nullable(),
  /** Stored in whole milliseconds (rounded). */
  duration_ms: z.number().nonnegative().transform(Math.round),
  query: clipped(2000).nullable(),
  colo: clipped(16).nullable(),
  cache: z.enum(['hit', 'miss']).nullable(),
  /**
   * How many requests the record stands for when LOG_SAMPLE_ONE_IN keeps one in N: every count,
   * sum and usage figure adds it. Absent (1) on a record of an unsampled request.
   */
  weight: z.number().int().min(1).max(MAX_LOG_WEIGHT).optional(),
});
export type LogRecord = z.infer<typeof LogRecordSchema>;
export type NewLogRecord = z.input<typeof LogRecordSchema>;

/** [from, to): from inclusive, to exclusive. */
export interface TimeRange {
  from: Date;
  to: Date;
}

export type Granularity = 'hour' | 'day';

export interface RequestsOverTimeQuery extends TimeRange {
  granularity: Granularity;
  /** Only this key's requests (a key's usage per day). */
  key_id?: string;
  /**
   * Buckets start at local midnight (or hour) of this UTC offset, e.g. 330
   * for India, so days match the quota's IST calendar. Default 0 (UTC).
   */
  utcOffsetMinutes?: number;
}

export interface StatusClassCounts {
  status_2xx: number;
  status_3xx: number;
  status_4xx: number;
  status_5xx: number;
}

/**
 * One bucket per hour or day in the range, empty ones included (zeros, null
 * percentiles). Only requests inside [from, to) count, also in a first or
 * last bucket that the range cuts. Percentiles and cache counts are those of
 * a LogSummary over the bucket, so a dashboard needs one call, not one per bucket.
 */
export interface TimeBucket extends StatusClassCounts {
  bucket_start: Date;
  total: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  cache_hits: number;
  cache_misses: number;
}

export interface LogSummaryQuery extends TimeRange {
  key_id?: string;
}

/**
 * Percentiles are nearest-rank: with the N durations sorted ascending, the
 * p-th percentile is the value at 1-based rank ceil(p × N / 100); null when
 * N = 0. Rates are shares of `total` (0 when total is 0); the cache hit ratio
 * is hits / (hits + misses), null when no request touched the cache.
 */
export interface LogSummary extends StatusClassCounts {
  total: number;
  error_rate_4xx: number;
  error_rate_5xx: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  cache_hits: number;
  cache_misses: number;
  cache_hit_ratio: number | null;
}

export interface EndpointStats {
  endpoint: string;
  total: number;
  status_4xx: number;
  status_5xx: number;
  /** Mean rounded to whole milliseconds. */
  avg_duration_ms: number;
}

export interface TopKey {
  key_id: string;
  /** null when the key has been deleted since. */
  name: string | null;
  total: number;
  status_4xx: number;
  status_5xx: number;
}

/** The dashboard's overview: several counts and summaries, answered by one store query. */
export interface OverviewQuery {
  /** Ranges whose requests are only counted. */
  counts: TimeRange[];
  /** Ranges summarised in full, as logSummary would; `percentiles: false` leaves the latencies null (no ranking). */
  summaries: Array<TimeRange & { percentiles?: boolean }>;
}

export interface LogOverview {
  /** One per range of `counts`, in order. */
  counts: number[];
  /** One per range of `summaries`, in order. */
  summaries: LogSummary[];
}

export type StatusFilter = number | '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

export interface ListLogsQuery {
  page: number;
  pageSize: number;
  key_id?: string;
  endpoint?: string;
  status?: StatusFilter;
  from?: Date;
  to?: Date;
}

export * from './cache-entry-types';
import type {
  CacheCompletion,
  CacheEntry,
  CacheFailureStatus,
  CacheStats,
  CacheType,
  ClaimOptions,
  ClaimResult,
  ListCacheQuery,
  UploadStart,
  UploadStartOptions,
} from './cache-entry-types';

export interface Page<T> {
  items: T[];
  total: number;
}

/** mongo: the Data API protocol; mongodb: the official driver over a connection string. */
export type StoreBackend = 'd1' | 'mongo' | 'mongodb';

export interface PingResult {
  ok: boolean;
  backend: StoreBackend;
  latency_ms: number;
  /** The AppError code when not ok. */
  error?: string;
  /** D1 only: the database's size (a full one refuses every write: 10 GB, 500 MB on the Free plan). */
  size_bytes?: number;
}

export interface MetadataStore {
  readonly backend: StoreBackend;
  /** Never throws: a health check. */
  ping(): Promise<PingResult>;

  // API keys
  /** Throws store.conflict when the id or key hash exists. */
  createKey(input: NewApiKey): Promise<ApiKeyRecord>;
  getKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  getKeyById(id: string): Promise<ApiKeyRecord | null>;
  /** Newest first. */
  listKeys(query: ListKeysQuery): Promise<Page<ApiKeyRecord>>;
  countKeys(now: Date): Promise<KeyCounts>;
  /** Bumps the record's version (usage counts aside, which recordKeyUsage keeps). */
  updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | null>;
  deleteKey(id: string): Promise<boolean>;
  /**
   * Adds counts to total_used and moves last_used_at forward (never back).
   * Unknown keys are skipped. Not idempotent: a retried call counts twice.
   */
  recordKeyUsage(increments: KeyUsageIncrement[]): Promise<void>;

  // Request logs
  /** Idempotent by request_id: returns how many records were new, and their ids. */
  appendLogs(batch: NewLogRecord[]): Promise<{ inserted: number; insertedIds: string[] }>;
  requestsOverTime(query: RequestsOverTimeQuery): Promise<TimeBucket[]>;
  logSummary(query: LogSummaryQuery): Promise<LogSummary>;
  /**
   * One query however many ranges. Percentiles are exact on D1; on Mongo they
   * come from a random sample of at most 10,000 requests per range (exact
   * below that), so a busy range costs a bounded sort.
   */
  logOverview(query: OverviewQuery): Promise<LogOverview>;
  /** Most requested first. */
  requestsByEndpoint(query: TimeRange & { limit?: number }): Promise<EndpointStats[]>;
  /** Keys with the most requests first (requests without a key left out). */
  topKeys(query: TimeRange & { limit: number }): Promise<TopKey[]>;
  /** Newest first. */
  listLogs(query: ListLogsQuery): Promise<Page<LogRecord>>;
  /** Retention: deletes logs with time < before; returns how many. */
  deleteLogsBefore(before: Date): Promise<number>;

  // Telegram cache entries
  getCacheEntry(videoId: string, type: CacheType): Promise<CacheEntry | null>;
  /**
   * Atomic: of concurrent claims exactly one wins. Claimable: no entry; a
   * failed entry cooled down (updated_at ≤ now − retryAfterMs); a stale
   * entry; a ready or too_large entry past expires_at; a pending entry older
   * than pendingTimeoutMs whose upload lease (if any) has run out. Every
   * claim gets a new claim_id.
   */
  claimCacheEntry(videoId: string, type: CacheType, options: ClaimOptions): Promise<ClaimResult>;
  /**
   * Atomic: the job of claim `claimId` takes the upload of a pending entry
   * still under that claim, unless another copy of the job holds the lease.
   * Also moves updated_at, so the pending timeout counts from the start.
   */
  startCacheUpload(videoId: string, type: CacheType, claimId: string, options: UploadStartOptions): Promise<UploadStart>;
  /** Gives the lease back (the upload will be retried); only under the same claim. */
  releaseCacheUpload(videoId: string, type: CacheType, claimId: string): Promise<boolean>;
  /**
   * Marks the entry ready with its Telegram file, only while it is pending
   * under claim `claimId`; otherwise (no entry, a newer claim, already
   * settled) changes nothing and returns null.
   */
  completeCacheEntry(videoId: string, type: CacheType, claimId: string, fields: CacheCompletion, now?: Date): Promise<CacheEntry | null>;
  /** As completeCacheEntry: a late or duplicate job never turns a settled entry (ready, say) into failed. */
  failCacheEntry(
    videoId: string,
    type: CacheType,
    claimId: string,
    reason: string,
    status?: CacheFailureStatus,
    now?: Date,
  ): Promise<CacheEntry | null>;
  /** The Telegram file no longer downloads: the next claim re-uploads it. */
  markCacheEntryStale(videoId: string, type: CacheType, reason: string, now?: Date): Promise<CacheEntry | null>;
  /** Most recently changed first. */
  listCacheEntries(query: ListCacheQuery): Promise<Page<CacheEntry>>;
  /** Deletes entries with expires_at ≤ now; returns how many. */
  deleteExpiredCacheEntries(now: Date): Promise<number>;
  cacheStats(): Promise<CacheStats>;
}
