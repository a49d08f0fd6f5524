import { z } from 'zod';
import { CACHE_TYPES } from '../store/types';
import { ClientOverridesSchema } from '../youtube/client-overrides';

/**
 * What the API Worker tells the cache consumer: ids only (a queue message is
 * limited to 128 KB, and the consumer resolves the video itself anyway, since
 * googlevideo URLs only work from the IP that resolved them).
 */
export const CacheJobSchema = z.object({
  video_id: z.string().regex(/^[A-Za-z0-9_-]{11}$/, 'must be an 11-character YouTube id'),
  type: z.enum(CACHE_TYPES),
  /** The claim this job was queued for (the entry's claim_id): a fencing token, see cache-entry-types.ts. */
  claim_id: z.string().min(1).max(64),
  /**
   * The client-table overrides stored through `PUT /admin/youtube/clients` when the job was queued:
   * the consumer has no binding to their Durable Object, so they travel with the job.
   */
  client_overrides: ClientOverridesSchema.optional(),
});
export type CacheJob = z.infer<typeof CacheJobSchema>;

/** The consumer's internal HTTP surface, reached only through the TELEGRAM_CACHE service binding. */
export const CACHE_SERVICE_ORIGIN = 'https://telegram-cache.internal';

export interface CacheServiceStatus {
  enabled: boolean;
  /** A local Bot API server lifts Telegram's 20 MB / 50 MB limits. */
  local_api: boolean;
  max_file_bytes: number | null;
  /**
   * Whether the channel has a public @name, so its posts have t.me links any bot can read;
   * null when caching is off or Telegram could not say.
   */
  channel_public: boolean | null;
}

export function fileUrl(fileId: string): string {
  return `${CACHE_SERVICE_ORIGIN}/files/${encodeURIComponent(fileId)}`;
}
