import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../workers/api/src/app';
import { createD1Store } from '../../workers/core/src/store/d1-store';
import type { CacheType, MetadataStore } from '../../workers/core/src/store/types';
import { CACHE_QUEUE_NAME, type CacheJob } from '../../workers/core/src/contracts/cache-job';
import consumer from '../../workers/consumer/src/index';
import { handleCacheBatch } from '../../workers/consumer/src/queue-handler';
import type { UploadDeps } from '../../workers/consumer/src/upload-job';
import type { ConsumerEnv } from '../../workers/consumer/src/runtime';
import { TEST_ADMIN_KEY } from './api';

/**
 * Helpers for the Telegram-cache tests: the test Bot API servers
 * (test/servers/telegram-bot-api.ts), the consumer Worker's handlers called
 * in-process with an env of the test's own, and the API Worker wired to that
 * consumer (TELEGRAM_CACHE) and to a recording CACHE_QUEUE.
 */
const bindings = env as unknown as Record<string, unknown> & {
  DB: D1Database;
  TEST_TELEGRAM: string;
  TEST_TELEGRAM_LOCAL: string;
  UPSTREAM_ORIGINS: string;
};

export const CHANNEL = '@ytmusiccache';
export const PRIVATE_CHANNEL = '-1001000000002';
export const store = createD1Store(bindings.DB);

export const telegram = {
  official: bindings.TEST_TELEGRAM,
  local: bindings.TEST_TELEGRAM_LOCAL,
  async control(path: string, body: unknown = {}, server = bindings.TEST_TELEGRAM): Promise<any> {
    const response = await fetch(`${server}/__control/${path}`, { method: 'POST', body: JSON.stringify(body) });
    return response.json();
  },
  /** A bot of this test's own, so faults and call logs never cross tests. */
  async newBot(server = bindings.TEST_TELEGRAM): Promise<string> {
    const token = `${7_000_000 + Math.floor(Math.random() * 1_000_000)}:AA${crypto.randomUUID().replace(/-/g, '')}`;
    await this.control('bot', { token }, server);
    return token;
  },
  fault(token: string, fault: { status: number; times?: number; retry_after?: number; method?: string; description?: string }, server?: string) {
    return this.control('fault', { token, ...fault }, server);
  },
  forget(fileId: string, server?: string) {
    return this.control('forget', { file_id: fileId }, server);
  },
  async calls(token: string, server = bindings.TEST_TELEGRAM): Promise<any[]> {
    return (await fetch(`${server}/__control/calls?token=${encodeURIComponent(token)}`)).json();
  },
  /** A public channel's post as a user client reads it from its t.me link (Pyrogram's get_messages + download). */
  async post(channel: string, messageId: number, server = bindings.TEST_TELEGRAM): Promise<{ status: number; bytes: Uint8Array; fileName: string | null }> {
    const response = await fetch(`${server}/__control/post?channel=${encodeURIComponent(channel)}&message_id=${messageId}`);
    return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()), fileName: response.headers.get('x-file-name') };
  },
  async fileBytes(fileId: string, server = bindings.TEST_TELEGRAM): Promise<Uint8Array> {
    return new Uint8Array(await (await fetch(`${server}/__control/file?file_id=${encodeURIComponent(fileId)}`)).arrayBuffer());
  },
};

export function consumerEnv(token: string | null, overrides: Record<string, string> = {}): ConsumerEnv {
  return {
    DB: bindings.DB,
    ...(token ? { TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHANNEL_ID: CHANNEL } : {}),
    UPSTREAM_ORIGINS: bindings.UPSTREAM_ORIGINS,
    STREAM_CHUNK_BYTES: String(1024 * 1024),
    CACHE_MAX_RETRIES: '3',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

/** Claims the entry as the API would, so the consumer has a pending job to work on. */
export function claim(videoId: string, type: CacheType = 'audio') {
  return store.claimCacheEntry(videoId, type, { now: new Date(), retryAfterMs: 600_000 });
}

/** A job as the API queues it: with the entry's current claim id unless the test gives one. */
export type TestJob = Omit<CacheJob, 'claim_id'> & { claim_id?: string };

export async function withClaim(job: TestJob, jobStore: MetadataStore = store): Promise<CacheJob> {
  if (job.claim_id) return job as CacheJob;
  const entry = await jobStore.getCacheEntry(job.video_id, job.type);
  return { ...job, claim_id: entry?.claim_id ?? 'no-such-claim' };
}

/** Delivers jobs to the consumer's queue() as one batch; `attempts` as the queue would count them. */
export async function runJobs(
  jobs: TestJob[],
  workerEnv: ConsumerEnv,
  options: { attempts?: number; overrides?: Partial<UploadDeps>; store?: MetadataStore } = {},
) {
  const bodies = await Promise.all(jobs.map((job) => withClaim(job, options.store)));
  const batch = createMessageBatch<CacheJob>(
    CACHE_QUEUE_NAME,
    bodies.map((body, index) => ({ id: `job-${index}`, timestamp: new Date(), attempts: options.attempts ?? 1, body })),
  );
  // This plugin version's getQueueResult leaves out each retry's delaySeconds: note them on the way.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (retryOptions?: QueueRetryOptions) => {
      delays.set(message.id, retryOptions?.delaySeconds);
      retry(retryOptions);
    };
  }
  const ctx = createExecutionContext();
  if (options.overrides) await handleCacheBatch(batch as MessageBatch<unknown>, workerEnv, options.overrides);
  else await consumer.queue(batch as MessageBatch<unknown>, workerEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryMessages: result.retryMessages.map((retried) => {
      const delaySeconds = retried.delaySeconds ?? delays.get(retried.msgId);
      return delaySeconds === undefined ? retried : { ...retried, delaySeconds };
    }),
  };
}

/** A request as a Worker's fetch handler receives it. */
function incoming(input: RequestInfo | URL, init?: RequestInit): Request<unknown, IncomingRequestCfProperties> {
  return new Request(input, init) as Request<unknown, IncomingRequestCfProperties>;
}

/** The consumer's internal HTTP surface, as the service binding reaches it. */
export function consumerFetch(workerEnv: ConsumerEnv, path: string, init?: RequestInit): Promise<Response> {
  return consumer.fetch(incoming(`https://telegram-cache.internal${path}`, init), workerEnv);
}

/**
 * The API Worker with its TELEGRAM_CACHE binding going to this consumer env,
 * and its queues recorded: `queued` holds the cache jobs, `logged` the request-log records.
 * `apiSettings` are the API Worker's own settings for this call site.
 */
export function apiWithCache(workerEnv: ConsumerEnv, apiSettings: Record<string, string> = {}) {
  const queued: CacheJob[] = [];
  const logged: Array<{ endpoint: string; cache: string | null }> = [];
  const recorder = <T>(into: T[]) => ({
    send: async (body: T) => void into.push(body),
    sendBatch: async (messages: Iterable<{ body: T }>) => void into.push(...[...messages].map((message) => message.body)),
  });
  const apiEnv = {
    ...bindings,
    ...apiSettings,
    CACHE_QUEUE: recorder(queued),
    // Request logs travel packed ({ records }) from the API's LogShipper.
    LOG_QUEUE: { send: async (body: { records: typeof logged }) => void logged.push(...body.records) },
    TELEGRAM_CACHE: { fetch: (input: RequestInfo | URL, init?: RequestInit) => consumer.fetch(incoming(input, init), workerEnv) },
  };
  const app = createApp();
  // A stream's pump is itself waitUntil work, done only once its body is read: wait after reading.
  const inFlight: Promise<void>[] = [];
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (!headers.has('X-API-Key')) headers.set('X-API-Key', TEST_ADMIN_KEY);
    headers.set('CF-Connecting-IP', `10.9.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`);
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`http://api.test${path}`, { ...init, headers }), apiEnv, ctx);
    inFlight.push(waitOnExecutionContext(ctx));
    return response;
  };
  /** Waits for the waitUntil work of every call so far (request logs, re-cache requests). */
  const settle = async () => {
    await Promise.all(inFlight.splice(0));
  };
  return {
    queued,
    logged,
    fetch: call,
    settle,
    async json<T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
      const response = await call(path, init);
      const body = (await response.json()) as T;
      await settle();
      return { status: response.status, body };
    },
  };
}

/** An 11-character id of the test's own; the YouTube stand-in answers it with a recording (upstream.alias). */
export function testVideoId(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
}
