import { describe, expect, it } from 'vitest';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { upstream } from './support/api';
import { apiWithCache, consumerEnv, runJobs, store, telegram, testVideoId } from './support/telegram-cache';

// "dog" (tjz2u2DiveM): 11 s, by Jony Tube. /v1/resolve streams its opus (251); the cache holds its m4a (140).
const RECORDING = 'tjz2u2DiveM';
const M4A = { itag: 140, size: 180_018 };
const M4A_SEED = seedOf(`${M4A.itag}:${M4A.size}`);

async function setup(prefix: string, overrides: Record<string, string> = {}) {
  const token = await telegram.newBot();
  const workerEnv = consumerEnv(token, overrides);
  const videoId = testVideoId(prefix);
  await upstream.alias(videoId, RECORDING);
  return { token, workerEnv, videoId, api: apiWithCache(workerEnv) };
}

const RECORDING_AUDIO_SIZES = [68_738, 69_162, 85_796, 145_570, 180_018];

/** Every call the YouTube stand-in saw for this video: its player requests and its recording's googlevideo bytes. */
async function youtubeCallsFor(videoId: string) {
  return (await upstream.calls()).filter(
    (call) => call.videoId === videoId || (call.path === '/videoplayback' && RECORDING_AUDIO_SIZES.includes(call.clen ?? 0)),
  );
}

async function cachedTrack(prefix: string) {
  const context = await setup(prefix);
  const first = await context.api.json(`/v1/resolve?query=${context.videoId}`);
  expect(first.body.cache).toEqual({ status: 'pending' });
  await runJobs(context.api.queued, context.workerEnv);
  return context;
}

describe('Telegram cache through the API', () => {
  it('claims once for concurrent first requests: one queued job, one upload', async () => {
    const { api, token, videoId, workerEnv } = await setup('cc');
    const answers = await Promise.all(Array.from({ length: 12 }, () => api.json(`/v1/resolve?query=${videoId}`)));
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: videoId, cached: false, cache: { status: 'pending' }, stream: { delivery: 'direct' } });
    }
    expect(api.queued).toEqual([{ video_id: videoId, type: 'audio', claim_id: (await store.getCacheEntry(videoId, 'audio'))!.claim_id }]);
    expect(api.logged.filter((record) => record.endpoint === '/v1/resolve').map((record) => record.cache)).toEqual(Array(12).fill('miss'));
    await runJobs(api.queued, workerEnv);
    expect((await telegram.calls(token)).filter((call) => call.method === 'sendAudio')).toHaveLength(1);
    expect(await store.getCacheEntry(videoId, 'audio')).toMatchObject({ status: 'ready', size: M4A.size });
  });

  it('answers a cached track from the entry alone, without calling YouTube, and /youtube says so too', async () => {
    const { api, videoId } = await cachedTrack('hi');
    const entry = (await store.getCacheEntry(videoId, 'audio'))!;
    const before = (await youtubeCallsFor(videoId)).length;

    const { status, body } = await api.json(`/v1/resolve?query=https://youtu.be/${videoId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: videoId,
      title: 'dog',
      duration: 11,
      channel: 'Jony Tube',
      views: 142650,
      cached: true,
      cache: { status: 'hit', telegram: { file_id: entry.file_id, message_url: `https://t.me/ytmusiccache/${entry.message_id}` } },
      stream: { mime: 'audio/mp4', size: M4A.size, delivery: 'telegram' },
      formats: { video_only: null, audio_only: null },
    });
    const compat = await api.json(`/youtube?query=${videoId}`);
    expect(compat.body).toMatchObject({ id: videoId, cached: true, telegram_cached: true, telegram_file_id: entry.file_id, stream_type: 'Audio' });
    expect(compat.body.stream_url).toMatch(/^http:\/\/api\.test\/stream\//);
    expect(api.logged.filter((record) => record.cache === 'hit')).toHaveLength(2);
    expect((await youtubeCallsFor(videoId)).length).toBe(before);
  });

  it('a ranged read Telegram answers with the whole file is cut to the range and keeps its Content-Length', async () => {
    const { api, videoId, token } = await cachedTrack('wf');
    await telegram.control('whole-file', { token });
    const { body } = await api.json(`/v1/resolve?query=${videoId}`);
    const path = new URL(body.stream.url).pathname;
    const part = await api.fetch(path, { headers: { Range: 'bytes=1000-65535' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe(`bytes 1000-65535/${M4A.size}`);
    expect(part.headers.get('Content-Length')).toBe(String(64_536));
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(streamBytes(M4A_SEED, 1000, 65_535)))).toBe(true);
    const tail = await api.fetch(path, { headers: { Range: `bytes=${M4A.size - 10}-` } });
    expect(tail.headers.get('Content-Length')).toBe('10');
    expect(Buffer.from(await tail.arrayBuffer()).equals(Buffer.from(streamBytes(M4A_SEED, M4A.size - 10, M4A.size - 1)))).toBe(true);
    const ranges = (await telegram.calls(token)).filter((call: any) => call.method === 'file').map((call: any) => call.status);
    expect(ranges.at(-1)).toBe(200);
  });

  it('streams a hit from Telegram with exact 200, 206, HEAD and 416 answers', async () => {
    const { api, videoId } = await cachedTrack('st');
    const { body } = await api.json(`/v1/resolve?query=${videoId}`);
    const path = new URL(body.stream.url).pathname;
    const before = (await youtubeCallsFor(videoId)).length;

    const whole = await api.fetch(path);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('Content-Type')).toBe('audio/mp4');
    expect(whole.headers.get('Content-Length')).toBe(String(M4A.size));
    expect(whole.headers.get('Accept-Ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(streamBytes(M4A_SEED, 0, M4A.size - 1)))).toBe(true);

    const part = await api.fetch(path, { headers: { Range: 'bytes=1000-65535' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe(`bytes 1000-65535/${M4A.size}`);
    expect(part.headers.get('Content-Length')).toBe(String(64_536));
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(streamBytes(M4A_SEED, 1000, 65_535)))).toBe(true);

    const suffix = await api.fetch(path, { headers: { Range: 'bytes=-100' } });
    expect(suffix.headers.get('Content-Range')).toBe(`bytes ${M4A.size - 100}-${M4A.size - 1}/${M4A.size}`);
    expect((await suffix.arrayBuffer()).byteLength).toBe(100);

    const head = await api.fetch(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe(String(M4A.size));
    expect(await head.text()).toBe('');

    const outside = await api.fetch(path, { headers: { Range: `bytes=${M4A.size}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('Content-Range')).toBe(`bytes */${M4A.size}`);
    await api.settle();
    expect((await youtubeCallsFor(videoId)).length).toBe(before);
  });

  it('streams a hit Telegram sends slower than UPSTREAM_TIMEOUT_MS whole: the timeout bounds its answer, not the body a player reads in real time', async () => {
    const { api, videoId, token, workerEnv } = await cachedTrack('sl');
    const { body } = await api.json(`/v1/resolve?query=${videoId}`);
    // The whole file takes ~0.9 s to arrive, more than twice the consumer's timeout.
    await telegram.control('pace', { token, bytesPerSecond: 200_000 });
    const slowEnv = { ...workerEnv, UPSTREAM_TIMEOUT_MS: '400' };
    const started = Date.now();
    const whole = await apiWithCache(slowEnv).fetch(new URL(body.stream.url).pathname);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(streamBytes(M4A_SEED, 0, M4A.size - 1)))).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(800);
  });

  it('marks the entry stale when Telegram lost the file, streams from YouTube instead, and queues a re-upload', async () => {
    const { api, videoId } = await cachedTrack('go');
    const entry = (await store.getCacheEntry(videoId, 'audio'))!;
    const { body } = await api.json(`/v1/resolve?query=${videoId}`);
    expect(body.cache.status).toBe('hit');
    await telegram.forget(entry.file_id!);
    api.queued.length = 0;

    const before = (await youtubeCallsFor(videoId)).length;
    const response = await api.fetch(new URL(body.stream.url).pathname, { headers: { Range: 'bytes=0-999' } });
    // YouTube's own best audio now: the opus (251) of 145570 bytes.
    expect(response.status).toBe(206);
    expect(response.headers.get('Content-Type')).toBe('audio/webm');
    expect(response.headers.get('Content-Range')).toBe('bytes 0-999/145570');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(Buffer.from(bytes).equals(Buffer.from(streamBytes(seedOf('251:145570'), 0, 999)))).toBe(true);
    await api.settle();
    expect((await youtubeCallsFor(videoId)).length).toBeGreaterThan(before);
    expect(api.queued).toEqual([{ video_id: videoId, type: 'audio', claim_id: (await store.getCacheEntry(videoId, 'audio'))!.claim_id }]);
    expect(await store.getCacheEntry(videoId, 'audio')).toMatchObject({ status: 'pending', failure_reason: 'Telegram no longer serves the cached file.' });
    const again = await api.json(`/v1/resolve?query=${videoId}`);
    expect(again.body).toMatchObject({ cached: false, cache: { status: 'pending' }, stream: { delivery: 'direct' } });
  });

  it('reports a failed upload with its reason and keeps streaming from YouTube', async () => {
    const { api, videoId, workerEnv } = await setup('fa', { TELEGRAM_CHANNEL_ID: '@nosuchchannel' });
    await api.json(`/v1/resolve?query=${videoId}`);
    await runJobs(api.queued, workerEnv);
    const { body } = await api.json(`/v1/resolve?query=${videoId}`);
    expect(body).toMatchObject({ cached: false, cache: { status: 'failed' }, stream: { delivery: 'direct' } });
    expect(body.cache.reason).toMatch(/chat not found/);
    expect(api.queued).toHaveLength(1);
  });

  it('reports too_large for a track over the limit, and leaves it to YouTube', async () => {
    const { api, videoId, workerEnv } = await setup('lg', { CACHE_MAX_FILE_BYTES: '100000' });
    await api.json(`/v1/resolve?query=${videoId}`);
    await runJobs(api.queued, workerEnv);
    const { body } = await api.json(`/v1/resolve?query=${videoId}`);
    expect(body.cache.status).toBe('too_large');
    expect(body.cache.reason).toMatch(/CACHE_MAX_FILE_BYTES/);
  });

  it('is off, and says so, when the consumer has no bot token', async () => {
    const videoId = testVideoId('of');
    await upstream.alias(videoId, RECORDING);
    const api = apiWithCache(consumerEnv(null));
    const { body } = await api.json(`/v1/resolve?query=${videoId}`);
    expect(body).toMatchObject({ cached: false, cache: { status: 'disabled' } });
    expect(api.queued).toEqual([]);
    // With no channel, the request log holds the metadata cache's outcome: the dashboard's hit ratio.
    expect(body.metadata_cache).toBe('miss');
    expect(api.logged[0]?.cache).toBe('miss');
    expect((await api.json(`/v1/resolve?query=${videoId}`)).body.metadata_cache).toBe('hit');
    expect(api.logged[1]?.cache).toBe('hit');
    expect(await store.getCacheEntry(videoId, 'audio')).toBeNull();
  });
});
