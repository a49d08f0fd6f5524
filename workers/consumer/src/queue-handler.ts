import { HttpError } from 'grammy';
import { AppError, isAppError } from '../../core/src/errors';
import { redact } from '../../core/src/logging/logger';
import { CacheJobSchema, type CacheJob } from '../../core/src/contracts/cache-job';
import { healthRules, isolateClientHealth } from '../../core/src/youtube/colo-client-health';
import { Extractor } from '../../core/src/youtube/extractor';
import { JobFailure } from './job-failure';
import { createRuntime, type ConsumerEnv, type ConsumerRuntime } from './runtime';
import { classifyTelegramError } from './telegram-client';
import { uploadTrack, type UploadDeps } from './upload-job';

/**
 * The queue side of the consumer. Outcomes of a job:
 * - uploaded, or nothing left to do (entry already ready, not ours) → ack;
 * - cannot succeed (private video, HLS-only video, too large, chat not found) → entry failed/too_large, ack;
 * - Telegram 429 → retry after its retry_after;
 * - anything else → retry with exponential backoff; on the last attempt the
 *   entry is marked failed and the message is retried once more, which sends
 *   it to the dead-letter queue.
 * A failed entry is claimed again by a later request after the cool-down.
 */
const MAX_DELAY_SECONDS = 3600;

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
  const extractor = new Extractor(runtime.config, runtime.outbound, runtime.logger, JSON.stringify(runtime.config.UPSTREAM_ORIGINS), { health });
  const deps: UploadDeps = { runtime, health, resolveVideo: (videoId, options) => extractor.resolve(videoId, options), ...overrides };
  for (const message of batch.messages) await handleMessage(message, deps);
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
  try {
    if (!runtime.telegram) {
      await runtime.store().failCacheEntry(job.video_id, job.type, 'Caching is off: TELEGRAM_BOT_TOKEN is not set.');
      message.ack();
      return;
    }
    const entry = await runtime.store().getCacheEntry(job.video_id, job.type);
    // Queues deliver at least once; only the claim's own pending entry is worked on.
    if (entry?.status !== 'pending') {
      runtime.logger.info('cache.job_skipped', { ...log, status: entry?.status ?? 'none' });
      message.ack();
      return;
    }
    await uploadTrack(job, deps);
    message.ack();
  } catch (error) {
    await settle(message, job, outcomeOf(error), deps.runtime, log);
  }
}

async function settle(message: Message<unknown>, job: CacheJob, outcome: Outcome, runtime: ConsumerRuntime, log: Record<string, unknown>) {
  const reason = redact(outcome.reason, runtime.secrets).slice(0, 500);
  const lastAttempt = message.attempts > runtime.config.CACHE_MAX_RETRIES;
  try {
    if (outcome.kind === 'permanent') {
      await runtime.store().failCacheEntry(job.video_id, job.type, reason, outcome.status);
      runtime.logger.warn('cache.job_failed', { ...log, status: outcome.status, reason });
      message.ack();
      return;
    }
    if (lastAttempt) {
      await runtime.store().failCacheEntry(job.video_id, job.type, reason, 'failed');
      runtime.logger.error('cache.job_dead_lettered', { ...log, reason });
      message.retry();
      return;
    }
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
