import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../workers/api/src/config';
import { TelegramCache } from '../workers/api/src/telegram-cache/telegram-cache';
import type { CacheJob } from '../workers/core/src/contracts/cache-job';
import { createLogger } from '../workers/core/src/logging/logger';
import { createOutbound } from '../workers/core/src/outbound/http';
import { createMetadataStore } from '../workers/core/src/store/index';
import type { MetadataStore } from '../workers/core/src/store/types';
import { upstream } from './support/api';
import { consumerEnv, runJobs, telegram, testVideoId } from './support/telegram-cache';

/**
 * Issue 12 §3: uploads happen exactly once. Copies of a job run at the same
 * time, and a retry can outlive the pending timeout so that the API claims
 * the track again; on either store backend, Telegram sees one sendAudio.
 */
const bindings = env as unknown as Record<string, string> & { DB: D1Database };
const RECORDING = 'tjz2u2DiveM';
const MINUTE = 60_000;
const quiet = createLogger({ level: 'error', format: 'json', sink: () => {} });

const backends: Array<[string, () => Record<string, string>]> = [
  ['D1', () => ({})],
  [
    'Mongo',
    () => ({
      METADATA_STORE: 'mongo',
      MONGO_DATA_API_URL: bindings.MONGO_TEST_URL!,
      MONGO_DATA_API_KEY: bindings.MONGO_TEST_API_KEY!,
      MONGO_DATABASE: `once_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`,
    }),
  ],
];

function storeOf(settings: Record<string, string>): MetadataStore {
  return createMetadataStore({ DB: bindings.DB, ...settings }, { outbound: createOutbound({ upstreamOrigins: {}, timeoutMs: 10_000, logger: quiet }), logger: quiet });
}

/** The API's side, as a resolve runs it: claims the entry and queues the job, at `now`. */
function apiCache(store: MetadataStore) {
  const queued: CacheJob[] = [];
  const apiEnv = { ...bindings, CACHE_QUEUE: { send: async (job: CacheJob) => void queued.push(job) } };
  const cache = new TelegramCache({ env: apiEnv as never, config: loadConfig(bindings), store: () => store, logger: quiet });
  return { queued, request: (videoId: string, now: Date) => cache.requestUpload(videoId, 'audio', null, now) };
}

async function sentAudios(token: string): Promise<number> {
  return (await telegram.calls(token)).filter((call) => call.method === 'sendAudio' && call.status === 200).length;
}

describe.each(backends)('exactly one upload per claim (%s)', (_name, settingsOf) => {
  it('runs one of 8 copies of a job delivered at once; the others wait, then find it done', async () => {
    const settings = settingsOf();
    const store = storeOf(settings);
    const token = await telegram.newBot();
    const videoId = testVideoId('cc');
    await upstream.alias(videoId, RECORDING);
    const api = apiCache(store);
    expect(await api.request(videoId, new Date())).toEqual({ status: 'pending' });
    const [job] = api.queued;
    const workerEnv = consumerEnv(token, settings);
    const results = await Promise.all(Array.from({ length: 8 }, () => runJobs([job!], workerEnv, { store })));
    expect(await sentAudios(token)).toBe(1);
    expect(await store.getCacheEntry(videoId, 'audio')).toMatchObject({ status: 'ready', claim_id: job!.claim_id });
    expect(results.filter((result) => result.explicitAcks.length === 1)).not.toHaveLength(0);
    // The copies that waited for the lease come back: nothing left to do.
    const waited = results.filter((result) => result.retryMessages.length === 1);
    for (const _copy of waited) expect((await runJobs([job!], workerEnv, { store, attempts: 2 })).explicitAcks).toEqual(['job-0']);
    expect(await sentAudios(token)).toBe(1);
  });

  it('lets a retry that outlived the pending timeout do nothing once the API has claimed the track again', async () => {
    const settings = settingsOf();
    const store = storeOf(settings);
    const token = await telegram.newBot();
    const videoId = testVideoId('pt');
    await upstream.alias(videoId, RECORDING);
    const api = apiCache(store);
    const t0 = new Date();
    await api.request(videoId, t0);
    const workerEnv = consumerEnv(token, settings);

    // The first attempt fails on Telegram's side and is retried, late: after the 30-minute pending timeout.
    await telegram.fault(token, { status: 500, times: 1, method: 'sendAudio' });
    const first = await runJobs([api.queued[0]!], workerEnv, { store, overrides: { now: () => t0 } });
    expect(first.retryMessages).toHaveLength(1);
    const later = new Date(t0.getTime() + 31 * MINUTE);
    // Meanwhile a resolve finds the entry pending for too long and claims it again: a second job.
    expect(await api.request(videoId, later)).toEqual({ status: 'pending' });
    expect(api.queued).toHaveLength(2);
    const [stale, fresh] = api.queued;
    expect(fresh!.claim_id).not.toBe(stale!.claim_id);

    const [retried, second] = await Promise.all([
      runJobs([stale!], workerEnv, { store, attempts: 2, overrides: { now: () => later } }),
      runJobs([fresh!], workerEnv, { store, overrides: { now: () => later } }),
    ]);
    expect(retried.explicitAcks).toEqual(['job-0']);
    expect(second.explicitAcks).toEqual(['job-0']);
    expect(await sentAudios(token)).toBe(1);
    const ready = await store.getCacheEntry(videoId, 'audio');
    expect(ready).toMatchObject({ status: 'ready', claim_id: fresh!.claim_id });

    // A late duplicate on its very last attempt never turns the ready entry into failed.
    await telegram.fault(token, { status: 500, times: 5, method: 'sendAudio' });
    const last = await runJobs([stale!], workerEnv, { store, attempts: 4, overrides: { now: () => new Date(later.getTime() + MINUTE) } });
    expect(last.explicitAcks).toEqual(['job-0']);
    expect(await store.getCacheEntry(videoId, 'audio')).toEqual(ready);
    expect(await sentAudios(token)).toBe(1);
  });
});
