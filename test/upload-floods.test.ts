import { describe, expect, it } from 'vitest';
import { createKey, upstream } from './support/api';
import { apiWithCache, consumerEnv, runJobs, telegram, testVideoId } from './support/telegram-cache';

/**
 * The t.me shapes (/download/audio, /download/video) as a key that floods them
 * with distinct tracks sees them: each one it makes us search, resolve and
 * upload costs its unit, whatever the wait ends in, and a key has only a few
 * uploads pending at once (PENDING_UPLOADS_PER_KEY).
 */
const RECORDING = 'tjz2u2DiveM';

async function videoIds(prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => testVideoId(prefix));
  for (const id of ids) await upstream.alias(id, RECORDING);
  return ids;
}

const asKey = (key: string) => ({ headers: { 'X-API-Key': key } });

describe('upload floods through the t.me shapes', () => {
  it('keeps the unit of a request that queued an upload and answered upload_pending', async () => {
    const workerEnv = consumerEnv(await telegram.newBot());
    const cached = apiWithCache(workerEnv, { TELEGRAM_LINK_WAIT_SECONDS: '1' });
    const [first, second] = await videoIds('fp', 2);
    const { key } = await createKey({ daily_limit: 1 });
    const pending = await cached.json(`/download/audio?video_id=${first}`, asKey(key));
    expect([pending.status, pending.body.error.code]).toEqual([504, 'telegram.upload_pending']);
    const next = await cached.json(`/download/audio?video_id=${second}`, asKey(key));
    expect([next.status, next.body.error.code]).toEqual([429, 'quota.exceeded']);
    expect(cached.queued.map((job) => job.video_id)).toEqual([first]);
  });

  it('keeps the unit of a request whose upload failed', async () => {
    const token = await telegram.newBot();
    const workerEnv = consumerEnv(token);
    const cached = apiWithCache(workerEnv);
    const [first, second] = await videoIds('ff', 2);
    const { key } = await createKey({ daily_limit: 1 });
    await telegram.fault(token, { status: 400, method: 'sendAudio', description: 'Bad Request: chat not found' });
    const pending = cached.fetch(`/download/audio?video_id=${first}`, asKey(key));
    for (let i = 0; i < 200 && cached.queued.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    await runJobs(cached.queued, workerEnv);
    const failed = await pending;
    await cached.settle();
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as any).error.code).toBe('telegram.upload_failed');
    const next = await cached.json(`/download/audio?video_id=${second}`, asKey(key));
    expect([next.status, next.body.error.code]).toEqual([429, 'quota.exceeded']);
  });

  it('refuses a key past PENDING_UPLOADS_PER_KEY pending uploads with 429 cache.too_many_pending, queuing nothing, until one lands', async () => {
    const workerEnv = consumerEnv(await telegram.newBot());
    const cached = apiWithCache(workerEnv, { TELEGRAM_LINK_WAIT_SECONDS: '1', PENDING_UPLOADS_PER_KEY: '2' });
    const ids = await videoIds('fc', 4);
    const { key } = await createKey({ daily_limit: 100 });
    for (const id of ids.slice(0, 2)) expect((await cached.json(`/download/video?video_id=${id}`, asKey(key))).body.error.code).toBe('telegram.upload_pending');
    // The same track again holds no second place.
    expect((await cached.json(`/download/video?video_id=${ids[0]}`, asKey(key))).body.error.code).toBe('telegram.upload_pending');
    const refused = await cached.json(`/download/video?video_id=${ids[2]}`, asKey(key));
    expect([refused.status, refused.body.error.code]).toEqual([429, 'cache.too_many_pending']);
    expect(cached.queued.map((job) => job.video_id)).toEqual(ids.slice(0, 2));
    // Another key is not held back by this one.
    const { key: other } = await createKey({ daily_limit: 100 });
    expect((await cached.json(`/download/video?video_id=${ids[2]}`, asKey(other))).body.error.code).toBe('telegram.upload_pending');
    // The uploads land: the key's places are free again.
    await runJobs(cached.queued.splice(0), workerEnv);
    const after = await cached.json(`/download/video?video_id=${ids[3]}`, asKey(key));
    expect(after.body.error?.code).toBe('telegram.upload_pending');
    expect(cached.queued.map((job) => job.video_id)).toEqual([ids[3]]);
  });
});
