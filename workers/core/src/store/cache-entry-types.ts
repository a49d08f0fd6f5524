import { z } from 'zod';

/** Telegram cache entries (`cache_metadata`): one per video and type. */
export const CACHE_TYPES = ['audio', 'video'] as const;
export type CacheType = (typeof CACHE_TYPES)[number];
export const CACHE_STATUSES = ['pending', 'ready', 'failed', 'stale', 'too_large'] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

export const CacheEntrySchema = z.object({
  video_id: z.string().min(1).max(64),
  type: z.enum(CACHE_TYPES),
  status: z.enum(CACHE_STATUSES),
  file_id: z.string().nullable(),
  file_unique_id: z.string().nullable(),
  message_id: z.number().int().nullable(),
  /** Numeric ids are kept as their decimal string; @channel names as is. */
  chat_id: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  mime: z.string().nullable(),
  title: z.string().nullable(),
  /** Seconds. */
  duration: z.number().int().nonnegative().nullable(),
  // Entries written before these existed have none.
  channel: z.string().nullable().default(null),
  views: z.number().int().nonnegative().nullable().default(null),
  thumbnail: z.string().nullable().default(null),
  cached_at: z.date().nullable(),
  expires_at: z.date().nullable(),
  claimed_at: z.date().nullable(),
  /** Last state change; failed entries cool down from it. */
  updated_at: z.date(),
  failure_reason: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  /**
   * The current claim's id, a fencing token: the upload job carries it, and
   * only a job with the entry's current claim may start, complete or fail
   * it. A new claim makes every older job's id stale.
   */
  claim_id: z.string().nullable().default(null),
  /** While a consumer runs the upload: no other copy of the job may start before this. */
  lease_until: z.date().nullable().default(null),
});
export type CacheEntry = z.infer<typeof CacheEntrySchema>;

/** What a finished upload records: the entry's descriptive fields, plus the Telegram file (all required). */
export const CacheCompletionSchema = CacheEntrySchema.pick({
  mime: true,
  title: true,
  duration: true,
  channel: true,
  views: true,
  thumbnail: true,
  expires_at: true,
}).extend({
  file_id: z.string().min(1),
  file_unique_id: z.string().min(1),
  message_id: z.number().int(),
  chat_id: z.string().min(1),
  size: z.number().int().nonnegative(),
  cached_at: z.date(),
});
export type CacheCompletion = z.input<typeof CacheCompletionSchema>;

export interface ClaimOptions {
  now: Date;
  /** Cool-down before a failed entry may be claimed again. */
  retryAfterMs: number;
  /** A pending claim older than this is presumed dead (its worker crashed). Default 30 minutes. */
  pendingTimeoutMs?: number;
}

export interface UploadStartOptions {
  now: Date;
  /** How long the upload may run before another copy of its job may take over (its worker died). */
  leaseMs: number;
}

export interface UploadStart {
  /** true: this caller holds the upload now and must complete, fail or release it. */
  started: boolean;
  /** The entry as it is; null when it is gone. */
  entry: CacheEntry | null;
}

export interface ClaimResult {
  /** true: the caller owns the upload now and must complete or fail it. */
  claimed: boolean;
  entry: CacheEntry;
}

export type CacheFailureStatus = 'failed' | 'too_large' | 'stale';

export interface ListCacheQuery {
  page: number;
  pageSize: number;
  status?: CacheStatus;
}

export type CacheStats = Record<CacheStatus, number> & { total: number; ready_bytes: number };

