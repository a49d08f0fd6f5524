import { describe, expect, it } from 'vitest';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { api, createKey, upstream } from './support/api';
import { apiWithCache, consumerEnv, PRIVATE_CHANNEL, runJobs, store, telegram, testVideoId } from './support/telegram-cache';

/**
 * The Fallen API shape, parsed as its two Go clients do:
 * YukkiMusic internal/platforms/fallenapi.go — `GET {url}/api/track?api_key=&url=`,
 * any status ≥ 400 is a failure, reads `cdnurl`; a match of
 * `https://t.me/([a-zA-Z0-9_]{5,})/(\d+)` goes through Telegram, anything else is downloaded.
 * TgMusicBot src/core/dl/api.go — `X-API-Key`, only 200 is success, decodes
 * {id, url, cdnurl, key, platform}; `^https?://t.me/` goes through Telegram
 * (utils.GetMessage: `^https?://t\.me/([a-zA-Z0-9_]{4,})/(\d+)$`), anything else
 * is downloaded (status 200 only) and named from Content-Disposition or the URL's last segment;
 * its download path then asks again for `https://www.youtube.com/watch?v=<id>`.
 */
const YUKKI_TELEGRAM = /https:\/\/t\.me\/([a-zA-Z0-9_]{5,})\/(\d+)/;
const TGMUSIC_TELEGRAM = /^https?:\/\/t\.me\/([a-zA-Z0-9_]{4,})\/(\d+)$/;

interface TrackInfo {
  id: string;
  url: string;
  cdnurl: string;
  key?: string;
  platform: string;
}

async function getTrack(call: (path: string, init?: RequestInit) => Promise<Response>, key: string, url: string, how: 'header' | 'query') {
  const path = `/api/track?${how === 'query' ? `api_key=${encodeURIComponent(key)}&` : ''}url=${encodeURIComponent(url)}`;
  const response = await call(path, how === 'header' ? { headers: { 'X-API-Key': key } } : {});
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as TrackInfo };
}

/** An HTTP download with no headers at all, as resty / net/http do it. */
async function download(cdnurl: string, call: (path: string, init?: RequestInit) => Promise<Response> = api) {
  const url = new URL(cdnurl);
  expect(url.origin).toBe('http://api.test');
  return call(url.pathname + url.search, { headers: { 'X-API-Key': 'none' } });
}

describe('GET /api/track (the Fallen API shape)', () => {
  it('answers exactly {id, url, platform, cdnurl}, with a cdnurl that downloads with no headers (TgMusicBot, twice per play)', async () => {
    const { key } = await createKey({ daily_limit: 10 });
    const first = await getTrack(api, key, 'https://youtu.be/M4gD1WSo5mA?si=abc', 'header');
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(['id', 'url', 'platform', 'cdnurl']);
    expect(first.body).toMatchObject({ id: 'M4gD1WSo5mA', url: 'https://www.youtube.com/watch?v=M4gD1WSo5mA', platform: 'youtube' });
    expect(first.body.cdnurl).not.toMatch(/^https?:\/\/t\.me\//);

    // downloadWithApi: the same route again, for the watch URL of the first answer's id.
    const second = await getTrack(api, key, `https://www.youtube.com/watch?v=${first.body.id}`, 'header');
    expect(second.status).toBe(200);
    expect(second.body.id).toBe('M4gD1WSo5mA');

    const file = await download(second.body.cdnurl);
    expect(file.status).toBe(200);
    expect(file.headers.get('Content-Type')).toBe('audio/webm');
    // determineFilename: `filename\*?=(?:UTF-8'')?([^;]+)`, then quotes stripped by sanitizeFilename.
    const named = /filename\*?=(?:UTF-8'')?([^;]+)/.exec(file.headers.get('Content-Disposition') ?? '')?.[1]?.replace(/["<>:/\\|?*]/g, '');
    expect(named).toBe('M4gD1WSo5mA.webm');
    const size = Number(file.headers.get('Content-Length'));
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes.length).toBe(size);
    expect(Buffer.from(bytes).equals(Buffer.from(streamBytes(seedOf(`251:${size}`), 0, size - 1)))).toBe(true);
  });

  it('takes the key as api_key= (YukkiMusic) and counts each call like a resolve', async () => {
    // Two calls, and the first one's file once (its first request, as a /stream link's).
    const { key } = await createKey({ daily_limit: 3 });
    const answer = await getTrack(api, key, 'https://www.youtube.com/watch?v=T4XJQO3qol8', 'query');
    expect(answer.status).toBe(200);
    expect(answer.body.id).toBe('T4XJQO3qol8');
    expect(YUKKI_TELEGRAM.test(answer.body.cdnurl)).toBe(false);
    expect((await download(answer.body.cdnurl)).status).toBe(200);
    expect((await getTrack(api, key, 'https://www.youtube.com/watch?v=T4XJQO3qol8', 'query')).status).toBe(200);
    const over = await getTrack(api, key, 'https://www.youtube.com/watch?v=T4XJQO3qol8', 'query');
    expect(over.status).toBe(429);
  });

  it('refuses with a JSON error status the clients treat as a failure', async () => {
    const missing = await api('/api/track?url=https://youtu.be/M4gD1WSo5mA', { headers: { 'X-API-Key': 'none' } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect((await api('/api/track')).status).toBe(400);
    expect((await api('/api/track?url=https://open.spotify.com/track/abc')).status).toBe(400);
    expect((await api('/api/track?url=8VajtrESJzA')).status).toBe(403);
  });

  it('gives a track cached in a public channel as its t.me post, which both clients fetch through Telegram', async () => {
    const token = await telegram.newBot();
    const workerEnv = consumerEnv(token);
    const videoId = testVideoId('fa');
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const cached = apiWithCache(workerEnv);
    const { key } = await createKey();
    const miss = await getTrack(cached.fetch, key, `https://www.youtube.com/watch?v=${videoId}`, 'header');
    await cached.settle();
    expect(miss.body.cdnurl).toMatch(/^http:\/\/api\.test\/file\//);
    // Never waits: the upload was only queued.
    expect(cached.queued).toEqual([{ video_id: videoId, type: 'audio', claim_id: expect.any(String) }]);
    await runJobs(cached.queued, workerEnv);
    const entry = (await store.getCacheEntry(videoId, 'audio'))!;

    const hit = await getTrack(cached.fetch, key, `https://www.youtube.com/watch?v=${videoId}`, 'query');
    await cached.settle();
    expect(hit.body.cdnurl).toBe(`https://t.me/ytmusiccache/${entry.message_id}`);
    expect(YUKKI_TELEGRAM.exec(hit.body.cdnurl)?.slice(1)).toEqual(['ytmusiccache', String(entry.message_id)]);
    expect(TGMUSIC_TELEGRAM.exec(hit.body.cdnurl)?.slice(1)).toEqual(['ytmusiccache', String(entry.message_id)]);
  });

  it('gives a track cached in a private channel as our file link, served from Telegram', async () => {
    const token = await telegram.newBot();
    const workerEnv = consumerEnv(token, { TELEGRAM_CHANNEL_ID: PRIVATE_CHANNEL });
    const videoId = testVideoId('fp');
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const cached = apiWithCache(workerEnv);
    const { key } = await createKey();
    await getTrack(cached.fetch, key, videoId, 'header');
    await cached.settle();
    await runJobs(cached.queued, workerEnv);
    const hit = await getTrack(cached.fetch, key, videoId, 'header');
    expect(hit.body.cdnurl).toMatch(/^http:\/\/api\.test\/file\//);
    const file = await download(hit.body.cdnurl, cached.fetch);
    expect(file.status).toBe(200);
    expect(file.headers.get('Content-Type')).toBe('audio/mp4');
    expect((await file.arrayBuffer()).byteLength).toBe(180_018);
    await cached.settle();
  });
});
