import { describe, expect, it } from 'vitest';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { api, createKey, upstream } from './support/api';
import { apiWithCache, consumerEnv, PRIVATE_CHANNEL, runJobs, store, telegram, testVideoId } from './support/telegram-cache';

/**
 * The Stranger / SHUKLA shape, parsed as SHUKLAMUSIC/platforms/Youtube.py does:
 * `GET {API_BASE_URL}/download/audio` (or /video) with params video_id, api_key, a 60 s
 * total timeout; `response.status != 200` is a failure; `data.get("telegram_url")`;
 * `urlparse(url).path.strip("/").split("/")` → channel name, int(message id); then
 * `app.get_messages(channel, id)` and `msg.download()` through the bot's own Telegram client.
 */
const RECORDING = 'tjz2u2DiveM';
const M4A = { itag: 140, size: 180_018 };

function parseLikeShukla(telegramUrl: string): { channel: string; messageId: number } {
  const url = new URL(telegramUrl);
  expect(url.protocol).toBe('https:');
  expect(url.host).toBe('t.me');
  const parts = url.pathname.replace(/^\/+|\/+$/g, '').split('/');
  expect(parts.length).toBeGreaterThanOrEqual(2);
  const messageId = Number.parseInt(parts[1]!, 10);
  expect(String(messageId)).toBe(parts[1]);
  return { channel: parts[0]!, messageId };
}

async function waitFor(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(check()).toBe(true);
}

async function setup(prefix: string, consumerSettings: Record<string, string> = {}, apiSettings: Record<string, string> = {}) {
  const token = await telegram.newBot();
  const workerEnv = consumerEnv(token, consumerSettings);
  const videoId = testVideoId(prefix);
  await upstream.alias(videoId, RECORDING);
  const { key } = await createKey();
  return { token, workerEnv, videoId, key, cached: apiWithCache(workerEnv, apiSettings) };
}

describe('GET /download/audio and /download/video (the Stranger / SHUKLA shape)', () => {
  it('waits for the first upload, then answers the public post’s https://t.me link; the post holds the track’s bytes', async () => {
    const { workerEnv, videoId, key, cached } = await setup('sa');
    const pending = cached.fetch(`/download/audio?video_id=${videoId}&api_key=${key}`, { headers: { 'X-API-Key': key } });
    await waitFor(() => cached.queued.length === 1);
    await runJobs(cached.queued, workerEnv);
    const response = await pending;
    await cached.settle();
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const data = (await response.json()) as Record<string, unknown>;
    expect(data).toMatchObject({ status: 'uploaded', video_id: videoId, type: 'audio' });
    expect(typeof data.telegram_url).toBe('string');
    const { channel, messageId } = parseLikeShukla(data.telegram_url as string);
    expect(channel).toBe('ytmusiccache');

    const post = await telegram.post(channel, messageId);
    expect(post.status).toBe(200);
    expect(post.fileName).toBe(`${videoId}.m4a`);
    expect(Buffer.from(post.bytes).equals(Buffer.from(streamBytes(seedOf(`${M4A.itag}:${M4A.size}`), 0, M4A.size - 1)))).toBe(true);

    // Once cached, at once and without another upload.
    const again = await cached.json(`/download/audio?video_id=${videoId}&api_key=${key}`, { headers: { 'X-API-Key': key } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'cached', telegram_url: data.telegram_url });
    expect(cached.queued).toHaveLength(1);
  });

  it('does video too: an HLS-only video lands in the channel as one MPEG-TS file', async () => {
    const { workerEnv, videoId, key, cached } = await setup('sv');
    const pending = cached.fetch(`/download/video?video_id=${videoId}&api_key=${key}`, { headers: { 'X-API-Key': key } });
    await waitFor(() => cached.queued.length === 1);
    expect(cached.queued).toEqual([{ video_id: videoId, type: 'video', claim_id: expect.any(String) }]);
    await runJobs(cached.queued, workerEnv);
    const response = await pending;
    await cached.settle();
    expect(response.status).toBe(200);
    const data = (await response.json()) as Record<string, unknown>;
    expect(data).toMatchObject({ status: 'uploaded', type: 'video' });
    const { channel, messageId } = parseLikeShukla(data.telegram_url as string);
    const post = await telegram.post(channel, messageId);
    expect(post.status).toBe(200);
    expect(post.fileName).toBe(`${videoId}.ts`);
    const segment = (sq: number) => Buffer.from(streamBytes(seedOf(`95:188000:sq${sq}`), 0, 187_999));
    expect(Buffer.from(post.bytes).equals(Buffer.concat([segment(1), segment(2)]))).toBe(true);

    // The same cached video through our own stream link, and through YouTube again once Telegram lost it.
    const compat = await cached.json(`/youtube?query=${videoId}&video=true`);
    const path = new URL(compat.body.stream_url).pathname;
    const fromTelegram = await cached.fetch(path);
    expect(fromTelegram.headers.get('Content-Type')).toBe('video/mp2t');
    expect(Buffer.from(await fromTelegram.arrayBuffer()).equals(Buffer.concat([segment(1), segment(2)]))).toBe(true);
    await telegram.forget(compat.body.telegram_file_id);
    const fromYouTube = await cached.fetch(path);
    expect(fromYouTube.status).toBe(200);
    expect(fromYouTube.headers.get('Content-Type')).toBe('video/mp2t');
    expect(Buffer.from(await fromYouTube.arrayBuffer()).equals(Buffer.concat([segment(1), segment(2)]))).toBe(true);
    await cached.settle();
    // It went through the stale copy to YouTube, and asked for a new upload.
    expect((await store.getCacheEntry(videoId, 'video'))?.status).not.toBe('ready');
    expect(cached.queued).toHaveLength(2);
  });

  it('says plainly, at once and without an upload, that a private channel’s posts cannot be read by the bot', async () => {
    const { key, videoId, cached } = await setup('sp', { TELEGRAM_CHANNEL_ID: PRIVATE_CHANNEL });
    const response = await cached.fetch(`/download/audio?video_id=${videoId}&api_key=${key}`, { headers: { 'X-API-Key': key } });
    await cached.settle();
    expect(response.status).toBe(503);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('telegram.channel_private');
    expect(body.error.message).toMatch(/private Telegram channel/);
    expect(body.error.message).toMatch(/t\.me\/c\//);
    // Nothing was queued, so nothing was waited for.
    expect(cached.queued).toEqual([]);
  });

  it('says so too for a track already cached in a channel that was private, whatever the status says now', async () => {
    // The channel is public now (by number), but this track's post went to the private one.
    const token = await telegram.newBot();
    const privateEnv = consumerEnv(token, { TELEGRAM_CHANNEL_ID: PRIVATE_CHANNEL });
    const videoId = testVideoId('sq');
    await upstream.alias(videoId, RECORDING);
    const { key } = await createKey();
    const first = apiWithCache(privateEnv);
    await first.json(`/v1/resolve?query=${videoId}`);
    await runJobs(first.queued, privateEnv);
    const publicEnv = consumerEnv(token, { TELEGRAM_CHANNEL_ID: '-1001000000001' });
    const later = apiWithCache(publicEnv);
    const { status, body } = await later.json(`/download/audio?video_id=${videoId}&api_key=${key}`, { headers: { 'X-API-Key': key } });
    expect(status).toBe(503);
    expect(body.error.code).toBe('telegram.channel_private');
  });

  it('gives up inside the bot’s 60 s timeout when the upload does not land (TELEGRAM_LINK_WAIT_SECONDS)', async () => {
    const { videoId, key, cached } = await setup('st', {}, { TELEGRAM_LINK_WAIT_SECONDS: '2' });
    const { status, body } = await cached.json(`/download/audio?video_id=${videoId}&api_key=${key}`, { headers: { 'X-API-Key': key } });
    expect(status).toBe(504);
    expect(body.error.code).toBe('telegram.upload_pending');
    expect(body.error.message).toMatch(/after 2 s/);
    expect(cached.queued).toEqual([{ video_id: videoId, type: 'audio', claim_id: expect.any(String) }]);
  });

  it('answers a failed upload at once instead of waiting, without the consumer’s own reason (that is for admins)', async () => {
    const { token, workerEnv, videoId, key, cached } = await setup('sf');
    await telegram.fault(token, { status: 400, method: 'sendAudio', description: 'Bad Request: chat not found' });
    const pending = cached.fetch(`/download/audio?video_id=${videoId}&api_key=${key}`, { headers: { 'X-API-Key': key } });
    await waitFor(() => cached.queued.length === 1);
    await runJobs(cached.queued, workerEnv);
    const response = await pending;
    await cached.settle();
    expect(response.status).toBe(502);
    const message = ((await response.json()) as any).error.message as string;
    expect(message).toMatch(/could not be put in the Telegram channel/);
    expect(message).not.toMatch(/chat not found/);
  });

  it('needs the key and the Telegram cache, and answers JSON either way', async () => {
    const missing = await api('/download/audio?video_id=M4gD1WSo5mA', { headers: { 'X-API-Key': 'none' } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('Content-Type')).toMatch(/^application\/json/);
    // The test Worker's consumer stand-in says caching is off.
    const off = await api('/download/audio?video_id=M4gD1WSo5mA');
    expect(off.status).toBe(503);
    expect(((await off.json()) as any).error.code).toBe('telegram.disabled');
  });
});
