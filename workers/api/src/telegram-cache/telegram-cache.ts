import type { Context } from 'hono';
import type { Config } from '../config';
import type { AppEnv, Env } from '../env';
import type { Logger } from '../../../core/src/logging/logger';
import type { CacheEntry, CacheType, MetadataStore } from '../../../core/src/store/types';
import { CACHE_SERVICE_ORIGIN, fileUrl, type CacheJob, type CacheServiceStatus } from '../../../core/src/contracts/cache-job';
import { answerDeadline } from '../../../core/src/outbound/answer-deadline';
import { forwardedRange } from '../../../core/src/stream/range';
import { storedClientOverrides } from '../../../core/src/youtube/client-table';
import { clientTableReader } from '../youtube-clients/client-table-reader';

/**
 * The API Worker's side of the Telegram cache. It never holds the bot token:
 * it reads and claims entries in the store, queues upload jobs, and asks the
 * consumer Worker (service binding TELEGRAM_CACHE) for a cached file's bytes.
 * Caching is on when this Worker has both bindings, TELEGRAM_CACHE_ENABLED is
 * not false, and the consumer says it has a bot token. Every call to the
 * consumer has a timeout, and concurrent requests share one status probe.
 */
export type CacheReport =
  | { status: 'disabled' }
  | { status: 'hit'; entry: CacheEntry }
  | { status: 'pending' }
  | { status: 'failed' | 'too_large'; reason: string | null }
  /** The store or the queue did not answer; the track streams from YouTube. */
  | { status: 'unavailable' };

/** A key's places for pending uploads (telegram-cache/pending-uploads.ts). */
export interface UploadHold {
  acquire(videoId: string, type: CacheType): Promise<void>;
  release(videoId: string, type: CacheType): void;
}

interface Deps {
  env: Env;
  config: Config;
  store: () => MetadataStore;
  logger: Logger;
}

/** The consumer's answer is kept a minute per isolate; a failed probe only briefly. */
const STATUS_TTL_MS = 60_000;
const STATUS_FAILURE_TTL_MS = 5_000;
/** The consumer answers its status from memory: a probe slower than this counts as "off" for now. */
const STATUS_TIMEOUT_MS = 2_000;
export const PENDING_TIMEOUT_MS = 30 * 60_000;
type ConsumerStatus = { enabled: boolean; channelPublic: boolean | null };
const statusByBinding = new WeakMap<object, ConsumerStatus & { until: number }>();
/** One probe in flight per binding and isolate: concurrent requests share it. */
const probesInFlight = new WeakMap<object, Promise<ConsumerStatus>>();

export class TelegramCache {
  constructor(private readonly deps: Deps) {}

  static of(c: Context<AppEnv>): TelegramCache {
    return new TelegramCache({ env: c.env, config: c.get('config'), store: c.get('store'), logger: c.get('logger') });
  }

  async enabled(): Promise<boolean> {
    return (await this.status()).enabled;
  }

  /** false when the channel is known to be private: its posts have no t.me link another bot can read. */
  async channelPublic(): Promise<boolean | null> {
    return (await this.status()).channelPublic;
  }

  private async status(): Promise<ConsumerStatus> {
    const { env, config } = this.deps;
    const binding = env.TELEGRAM_CACHE;
    if (!config.TELEGRAM_CACHE_ENABLED || !binding || !env.CACHE_QUEUE) return { enabled: false, channelPublic: null };
    const known = statusByBinding.get(binding);
    if (known && known.until > Date.now()) return known;
    let probe = probesInFlight.get(binding);
    if (!probe) {
      probe = this.probe(binding).finally(() => probesInFlight.delete(binding));
      probesInFlight.set(binding, probe);
    }
    return probe;
  }

  private async probe(binding: Fetcher): Promise<ConsumerStatus> {
    let enabled = false;
    let channelPublic: boolean | null = null;
    try {
      const timeoutMs = Math.min(STATUS_TIMEOUT_MS, this.deps.config.UPSTREAM_TIMEOUT_MS);
      const response = await binding.fetch(`${CACHE_SERVICE_ORIGIN}/status`, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.ok) {
        const status = (await response.json()) as Partial<CacheServiceStatus>;
        enabled = status.enabled === true;
        channelPublic = typeof status.channel_public === 'boolean' ? status.channel_public : null;
      } else await response.body?.cancel();
    } catch (error) {
      this.deps.logger.warn('cache.status_failed', { error });
    }
    const answer = { enabled, channelPublic, until: Date.now() + (enabled ? STATUS_TTL_MS : STATUS_FAILURE_TTL_MS) };
    statusByBinding.set(binding, answer);
    return answer;
  }

  /** The entry as the store has it; 'unavailable' when the store does not answer. */
  async lookup(videoId: string, type: CacheType): Promise<CacheEntry | null | 'unavailable'> {
    try {
      return await this.deps.store().getCacheEntry(videoId, type);
    } catch (error) {
      this.deps.logger.warn('cache.lookup_failed', { videoId, type, error });
      return 'unavailable';
    }
  }

  /**
   * Asks for an upload unless one is under way or cooling down. The claim is
   * atomic, so of concurrent first requests exactly one sends the job.
   */
  async requestUpload(videoId: string, type: CacheType, known: CacheEntry | null, now = new Date(), hold?: UploadHold): Promise<CacheReport> {
    const settled = this.settledReport(known, now);
    if (settled) return settled;
    // Before the claim: a key past its pending uploads is refused (429) and queues nothing.
    await hold?.acquire(videoId, type);
    const queued = await this.claimAndQueue(videoId, type, now);
    if (!queued.queued) hold?.release(videoId, type);
    return queued.report;
  }

  private async claimAndQueue(videoId: string, type: CacheType, now: Date): Promise<{ queued: boolean; report: CacheReport }> {
    const { store, env, logger } = this.deps;
    const report = (value: CacheReport, queued = false) => ({ queued, report: value });
    try {
      const { claimed, entry } = await store().claimCacheEntry(videoId, type, {
        now,
        retryAfterMs: this.deps.config.CACHE_RETRY_COOLDOWN_SECONDS * 1000,
        pendingTimeoutMs: PENDING_TIMEOUT_MS,
      });
      if (!claimed || !entry.claim_id) return report(this.settledReport(entry, now) ?? { status: 'pending' });
      // The consumer resolves with the client table in force here (it cannot read the stored overrides itself).
      const stored = await storedClientOverrides(clientTableReader(env.CLIENT_TABLE), logger);
      const job: CacheJob = { video_id: videoId, type, claim_id: entry.claim_id, ...(stored ? { client_overrides: stored.overrides } : {}) };
      try {
        await env.CACHE_QUEUE!.send(job, { contentType: 'json' });
      } catch (error) {
        logger.warn('cache.enqueue_failed', { videoId, type, error });
        await store().failCacheEntry(videoId, type, entry.claim_id, 'The upload job could not be queued.', 'failed', now);
        return report({ status: 'unavailable' });
      }
      logger.info('cache.job_queued', { videoId, type });
      return report({ status: 'pending' }, true);
    } catch (error) {
      logger.warn('cache.claim_failed', { videoId, type, error });
      return report({ status: 'unavailable' });
    }
  }

  /** What an entry says without a write: null when a claim may take it over. */
  private settledReport(entry: CacheEntry | null, now: Date): CacheReport | null {
    if (!entry) return null;
    const expired = entry.expires_at !== null && entry.expires_at <= now;
    const age = now.getTime() - entry.updated_at.getTime();
    if (entry.status === 'ready' && !expired && entry.file_id) return { status: 'hit', entry };
    if (entry.status === 'pending' && age < PENDING_TIMEOUT_MS) return { status: 'pending' };
    if (entry.status === 'too_large' && !expired) return { status: 'too_large', reason: entry.failure_reason };
    if (entry.status === 'failed' && age < this.deps.config.CACHE_RETRY_COOLDOWN_SECONDS * 1000) {
      return { status: 'failed', reason: entry.failure_reason };
    }
    return null;
  }

  isHit(entry: CacheEntry | null | 'unavailable', now = new Date()): entry is CacheEntry {
    return typeof entry === 'object' && entry !== null && this.settledReport(entry, now)?.status === 'hit';
  }

  /** The cached file's bytes (or a 410 when Telegram lost it), straight from the consumer. */
  async fetchFile(fileId: string, method: 'GET' | 'HEAD', range: string | null): Promise<Response> {
    // The timeout covers the consumer's answer, not the bytes after it: a long track keeps streaming.
    const timeoutMs = this.deps.config.UPSTREAM_TIMEOUT_MS;
    const deadline = answerDeadline(timeoutMs, () => new Error(`the cache consumer did not answer within ${timeoutMs} ms`));
    try {
      return await this.deps.env.TELEGRAM_CACHE!.fetch(fileUrl(fileId), { method, headers: forwardedRange(range), signal: deadline.signal });
    } finally {
      deadline.answered();
    }
  }

  async markStale(videoId: string, type: CacheType, reason: string): Promise<CacheEntry | null> {
    try {
      const entry = await this.deps.store().markCacheEntryStale(videoId, type, reason);
      this.deps.logger.info('cache.stale', { videoId, type, reason });
      return entry;
    } catch (error) {
      this.deps.logger.warn('cache.mark_stale_failed', { videoId, type, error });
      return null;
    }
  }
}

/**
 * The `cache` object of a resolve answer. The consumer's failure reason names
 * the operator's setup (Telegram's error, the channel, a setting): admins see
 * it, a key holder only the status.
 */
export function describeCache(report: CacheReport, options: { withReason?: boolean } = {}): Record<string, unknown> {
  if (report.status === 'hit') {
    return { status: 'hit', telegram: { file_id: report.entry.file_id, message_url: messageUrl(report.entry) } };
  }
  if (report.status === 'failed' || report.status === 'too_large') return options.withReason ? { status: report.status, reason: report.reason } : { status: report.status };
  return { status: report.status };
}

/** A public channel's post has a t.me link; a private channel's only works for its members, so none. */
export function messageUrl(entry: CacheEntry): string | null {
  if (!entry.chat_id?.startsWith('@') || entry.message_id === null) return null;
  return `https://t.me/${entry.chat_id.slice(1)}/${entry.message_id}`;
}
