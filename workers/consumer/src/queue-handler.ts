import { HttpError } from 'grammy';
import { AppError, isAppError } from '../../core/src/errors';
import { redact } from '../../core/src/logging/logger';
import { CacheJobSchema, type CacheJob } from '../../core/src/contracts/cache-job';
import type { CacheEntry } from '../../core/src/store/types';
import { healthRules, isolateClientHealth } from '../../core/src/youtube/colo-client-health';
import { Extractor } from '../../core/src/youtube/extractor';
import { tableOf } from '../../core/src/youtube/client-table';
import type { ClientOverrides } from '../../core/src/youtube/client-overrides';
import { JobFailure } from './job-failure';
import { createRuntime, type ConsumerEnv, type ConsumerRuntime } from './runtime';
import { classifyTelegramError } from './telegram-client';
import { uploadTrack, type UploadDeps } from './upload-job';

/**
 * The queue side of the consumer. Queues deliver at least once, and copies of
 * a job may run at the same time, so a job first takes the upload: only
 * while the entry is pending under the job's own claim (claim_id, the fencing
 * token), and only if no other copy holds the lease. Outcomes of a job:
 * - uploaded, or nothing left to do (entry already ready, a newer claim) → ack;
 * - another copy is uploading right now → retry once its lease would run out
 *   (the copy may die; if it finishes, the retry finds the entry ready);
 * - cannot succeed (private video, HLS-only video, too large, chat not found) → entry failed/too_large, ack;
 * - Telegram 429 → retry after its retry_after;
 * - anything else → retry with exponential backoff; on the last attempt the
 *   entry is marked failed and the message is retried once more, which sends
 *   it to the dead-letter queue.
 * A failed entry is claimed again by a later request after the cool-down.
 */
const MAX_DELAY_SECONDS = 3600;
/** The lease covers the resolve, the thumbnail and the upload (whose own timeout is TELEGRAM_UPLOAD_TIMEOUT_MS). */
const LEASE_MARGIN_MS = 120_000;

type Outcome =
  | { kind: 'permanent'; status: 'failed' | 'too_large'; reason: string }
  | { kind: 'retry'; reason: string; delaySeconds?: number };

export async function handleCacheBatch(
  batch: MessageBatch<unknown>,
  env: ConsumerEnv,
  overrides: Partial<UploadDeps> = {},
  ctx?: Pick<ExecutionContext, 'waitUntil'>,
): Promise<void> {
  let runtime: ConsumerRuntime;
  try {
    runtime = createRuntime(env);
  } catch (error) {
    // A bad setting: keep the jobs (they end in the dead-letter queue if it is never fixed).
    console.error(JSON.stringify({ level: 'error', event: 'cache.config_invalid', message: error instanceof Error ? error.message : 'invalid' }));
    batch.retryAll();
    return;
  }
  // The consumer's attempts count toward the colo's client health like the API Worker's.
  const health = isolateClientHealth().forRequest(healthRules(runtime.config), ctx ? (work) => ctx.waitUntil(work) : undefined);
  // The client table: this Worker's YOUTUBE_CLIENT_OVERRIDES, and over it the stored overrides the job carries.
  let jobOverrides: ClientOverrides | undefined;
  const clientTable = async () => tableOf(runtime.config.YOUTUBE_CLIENT_OVERRIDES, jobOverrides);
  const extractor = new Extractor(runtime.config, runtime.outbound, runtime.logger, JSON.stringify(runtime.config.UPSTREAM_ORIGINS), { health, clientTable, playerFunctions: env.PLAYER_FUNCTIONS });
  const deps: UploadDeps = { runtime, health, resolveVideo: (videoId, options) => extractor.resolve(videoId, options), ...overrides };
  for (const message of batch.messages) {
    jobOverrides = CacheJobSchema.shape.client_overrides.safeParse((message.body as { client_overrides?: unknown } | null)?.client_overrides).data;
    await handleMessage(message, deps);
  }
}

async function handleMessage(message: Message<unknown>, deps: UploadDeps): Promise<void> {
  const { runtime } = deps;
  const parsed = CacheJobSchema.safeParse(message.body);
  if (!parsed.success) {
    runtime.logger.error('cache.job_invalid', { messageId: message.id, issue: parsed.error.issues[0]?.message });
    message.ack();
    return;
  }
  const job = parsed.data;
  const log = { videoId: job.video_id, type: job.type, attempt: message.attempts };
  const now = deps.now?.() ?? new Date();
  try {
    if (!runtime.telegram) {
      await runtime.store().failCacheEntry(job.video_id, job.type, job.claim_id, 'Caching is off: TELEGRAM_BOT_TOKEN is not set.', 'failed', now);
      message.ack();
      return;
    }
    const leaseMs = runtime.config.TELEGRAM_UPLOAD_TIMEOUT_MS + LEASE_MARGIN_MS;
    const start = await runtime.store().startCacheUpload(job.video_id, job.type, job.claim_id, { now, leaseMs });
    if (!start.started) {
      skip(message, job, start.entry, now, runtime, log);
      return;
    }
  } catch (error) {
    runtime.logger.error('cache.store_failed', { ...log, error });
    message.retry({ delaySeconds: backoffSeconds(message.attempts, runtime) });
    return;
  }
  try {
    await uploadTrack(job, deps);
    message.ack();
  } catch (error) {
    await settle(message, job, outcomeOf(error), deps.runtime, log);
  }
}

/** The job could not take the upload: a copy of it holds the lease, or there is nothing left for it to do. */
function skip(message: Message<unknown>, job: CacheJob, entry: CacheEntry | null, now: Date, runtime: ConsumerRuntime, log: Record<string, unknown>) {
  const leaseUntil = entry?.lease_until?.getTime() ?? 0;
  const ours = entry?.status === 'pending' && entry.claim_id === job.claim_id;
  if (ours && leaseUntil > now.getTime() && message.attempts <= runtime.config.CACHE_MAX_RETRIES) {
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil((leaseUntil - now.getTime()) / 1000));
    runtime.logger.info('cache.job_leased', { ...log, delaySeconds });
    message.retry({ delaySeconds });
    return;
  }
  const why = !entry ? 'none' : entry.claim_id !== job.claim_id ? 'claimed_again' : entry.status;
  runtime.logger.info('cache.job_skipped', { ...log, status: why });
  message.ack();
}

async function settle(message: Message<unknown>, job: CacheJob, outcome: Outcome, runtime: ConsumerRuntime, log: Record<string, unknown>) {
  const reason = redact(outcome.reason, runtime.secrets).slice(0, 500);
  const lastAttempt = message.attempts > runtime.config.CACHE_MAX_RETRIES;
  try {
    if (outcome.kind === 'permanent') {
      await runtime.store().failCacheEntry(job.video_id, job.type, job.claim_id, reason, outcome.status);
      runtime.logger.warn('cache.job_failed', { ...log, status: outcome.status, reason });
      message.ack();
      return;
    }
    if (lastAttempt) {
      await runtime.store().failCacheEntry(job.video_id, job.type, job.claim_id, reason, 'failed');
      runtime.logger.error('cache.job_dead_lettered', { ...log, reason });
      message.retry();
      return;
    }
    // The retry (this message again) takes the upload anew.
    await runtime.store().releaseCacheUpload(job.video_id, job.type, job.claim_id);
  } catch (storeError) {
    runtime.logger.error('cache.store_failed', { ...log, error: storeError });
    message.retry({ delaySeconds: backoffSeconds(message.attempts, runtime) });
    return;
  }
  const delaySeconds = Math.min(outcome.delaySeconds ?? backoffSeconds(message.attempts, runtime), MAX_DELAY_SECONDS);
  runtime.logger.warn('cache.job_retry', { ...log, delaySeconds, reason });
  message.retry({ delaySeconds });
}

function backoffSeconds(attempts: number, runtime: ConsumerRuntime): number {
  return Math.min(runtime.config.CACHE_RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1), MAX_DELAY_SECONDS);
}

/** Sorts a failure into "record it and stop" or "try again". */
export function outcomeOf(error: unknown): Outcome {
  // grammY wraps what the upload stream threw (a too-large file, a googlevideo failure).
  const cause = error instanceof HttpError && error.error instanceof Error ? error.error : error;
  if (cause instanceof JobFailure) return { kind: 'permanent', status: cause.status, reason: cause.reason };
  if (isAppError(cause)) return appErrorOutcome(cause);
  const telegram = classifyTelegramError(error);
  if (telegram?.kind === 'rate_limited') return { kind: 'retry', reason: telegram.reason, delaySeconds: telegram.retryAfterSeconds };
  if (telegram?.kind === 'too_large') return { kind: 'permanent', status: 'too_large', reason: telegram.reason };
  if (telegram?.kind === 'permanent') return { kind: 'permanent', status: 'failed', reason: telegram.reason };
  if (telegram) return { kind: 'retry', reason: cause !== error && cause instanceof Error ? `${telegram.reason} (${cause.name}: ${cause.message})` : telegram.reason };
  return { kind: 'retry', reason: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure' };
}

function appErrorOutcome(error: AppError): Outcome {
  // What YouTube says of the video itself will not change on a retry; its outages and ours will.
  if (error.code.startsWith('video.')) return { kind: 'permanent', status: 'failed', reason: `YouTube: ${error.message}` };
  return { kind: 'retry', reason: `${error.code}: ${error.message}` };
}
