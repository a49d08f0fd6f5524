import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOf, streamBytes as testStreamBytes } from '../servers/stream-bytes';
import { startTelegramBotApi } from '../servers/telegram-bot-api';
import { startYouTubeUpstream } from '../servers/youtube-upstream';
import { freePort } from './support/api-server';
import { aiohttpJson, deadline, fallen, get, nexgen, original, shruti, shukla, ytproxy, type SavedFile } from './support/bot-families';
import { startService } from './support/npm-start';

/**
 * Every bot family's own client logic against one real `npm start` (both
 * Workers, local queues and D1, the Telegram channel cache on), against the
 * test YouTube and Telegram Bot API servers: each downloads its file, and the
 * file is the one the family expects (the same bytes as /stream/<token> for
 * audio, one MPEG-TS file for an HLS-only video).
 */
const ADMIN = 'bots-e2e-admin-key-0123456789abcdef';
const TOKEN = '777000222:bots-e2e-bot-token-secret';
const AUDIO = 'M4gD1WSo5mA'; // audio/webm, itag 251
const HLS_SEGMENT = 188_000;
let youtube: Awaited<ReturnType<typeof startYouTubeUpstream>>;
let telegram: Awaited<ReturnType<typeof startTelegramBotApi>>;
let service: Awaited<ReturnType<typeof startService>>;
let key: string;
let base: string;

async function control(path: string, body: unknown) {
  await fetch(`${youtube.url}/__control/${path}`, { method: 'POST', body: JSON.stringify(body) });
}

/** A video id of the test's own, replaying a recording: the Telegram cache of one test never answers another. */
async function ownVideo(prefix: string, recordedId: string): Promise<string> {
  const id = `${prefix}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
  await control('alias', { videoId: id, recordedId });
  return id;
}

async function createKey(daily_limit = 1000): Promise<string> {
  const created = await fetch(`${base}/admin/keys`, {
    method: 'POST',
    headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'bots e2e', daily_limit }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { key: string }).key;
}

/** What /stream/<token> serves for the track: the reference bytes. */
async function streamBytes(videoId: string): Promise<Buffer> {
  const resolved = (await (await fetch(`${base}/v1/resolve?query=${videoId}`, { headers: { 'X-API-Key': ADMIN } })).json()) as any;
  const response = await fetch(resolved.stream.url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function remaining(apiKey: string): Promise<number> {
  const response = await fetch(`${base}/v1/resolve?query=${AUDIO}`, { headers: { 'X-API-Key': apiKey } });
  await response.body?.cancel();
  return Number(response.headers.get('RateLimit-Remaining'));
}

/**
 * The recording's two audio formats, as the test googlevideo serves them: /stream streams
 * the opus one until the channel has the track, whose copy is the m4a the consumer uploads.
 */
const AUDIO_FORMATS: Record<string, { itag: number; size: number; ext: string }> = {
  'audio/webm': { itag: 251, size: 9_496_783, ext: 'webm' },
  'audio/mp4': { itag: 140, size: 11_664_965, ext: 'm4a' },
};

function youtubeBytes(itag: number, size: number): Buffer {
  return Buffer.from(testStreamBytes(seedOf(`${itag}:${size}`), 0, size - 1));
}

/** The file is one of the track's formats, whole, byte for byte; `name` may depend on the extension served. */
function expectAudio(file: SavedFile | null | undefined, name: string | ((ext: string) => string), reference?: Buffer) {
  expect(file, 'the bot got no file').toBeTruthy();
  const type = file!.headers.get('Content-Type') ?? '';
  const format = AUDIO_FORMATS[type];
  expect(format, `Content-Type ${type}`).toBeDefined();
  expect(file!.name).toBe(typeof name === 'string' ? name : name(format!.ext));
  const length = file!.headers.get('Content-Length');
  if (length !== null) expect(Number(length)).toBe(file!.bytes.length);
  expect(file!.bytes.length).toBe(format!.size);
  expect(file!.bytes.equals(reference ?? youtubeBytes(format!.itag, format!.size))).toBe(true);
}

/**
 * One variant of the test HLS stream, joined: its two 188,000-byte segments in order. Served
 * live it is the 720p one (itag 95); once the consumer has put the video in the channel it is
 * the copy there, whose variant was chosen to fit Telegram's file limit (240p, itag 92).
 */
function expectJoinedVideo(file: SavedFile | null | undefined, name: string) {
  expect(file, 'the bot got no file').toBeTruthy();
  expect(file!.name).toBe(name);
  expect(file!.headers.get('Content-Type')).toBe('video/mp2t');
  expect(file!.bytes.length).toBe(2 * HLS_SEGMENT);
  const joined = (itag: number) =>
    Buffer.concat([1, 2].map((sq) => Buffer.from(testStreamBytes(seedOf(`${itag}:${HLS_SEGMENT}:sq${sq}`), 0, HLS_SEGMENT - 1))));
  expect([95, 92].some((itag) => file!.bytes.equals(joined(itag))), 'one variant\'s segments, in order').toBe(true);
}

/** Waits until the channel holds the track (the consumer uploads it after a first resolve). */
async function waitForCache(videoId: string, type: 'audio' | 'video' = 'audio') {
  for (let attempt = 0; attempt < 120; attempt++) {
    const answer = (await (await fetch(`${base}/v1/resolve?query=${videoId}&type=${type}`, { headers: { 'X-API-Key': ADMIN } })).json()) as any;
    if (answer.cache?.status === 'hit') return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${videoId} never reached the channel:\n${service.output().slice(-3000)}`);
}

async function telegramFileDownloads(): Promise<number> {
  const calls = (await (await fetch(`${telegram.url}/__control/calls?token=${encodeURIComponent(TOKEN)}`)).json()) as Array<{ method: string }>;
  return calls.filter((call) => call.method === 'file').length;
}

beforeAll(async () => {
  [youtube, telegram] = await Promise.all([startYouTubeUpstream(), startTelegramBotApi()]);
  await fetch(`${telegram.url}/__control/bot`, { method: 'POST', body: JSON.stringify({ token: TOKEN }) });
  const origins = Object.fromEntries(
    ['www.youtube.com', 'youtubei.googleapis.com', 'music.youtube.com', '*.googlevideo.com', '*.ytimg.com'].map((host) => [host, youtube.url]),
  );
  service = await startService(await freePort(), {
    UPSTREAM_ORIGINS: JSON.stringify({ ...origins, 'api.telegram.org': telegram.url }),
    ADMIN_API_KEY: ADMIN,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_CHANNEL_ID: '@ytmusiccache',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
  });
  base = service.url;
  key = await createKey();
}, 240_000);

afterAll(async () => {
  service?.stop();
  await Promise.all([youtube?.close(), telegram?.close()]);
});

describe('every bot family end to end under npm start', () => {
  it('Shruti, newest client: the /download answer is the file (audio, video, a watch or youtu.be URL), one request of quota', async () => {
    const quotaKey = await createKey(50);
    const id = await ownVideo('sh', AUDIO);
    expectAudio(await shruti.download(base, quotaKey, `https://www.youtube.com/watch?v=${id}&t=3`, false), `${id}.mp3`);
    expectAudio(await shruti.download(base, quotaKey, `https://youtu.be/${id}`, false), `https://youtu.be/${id}.mp3`);
    expect(await remaining(quotaKey)).toBe(50 - 3);
    const videoId = await ownVideo('sv', 'T4XJQO3qol8');
    expectJoinedVideo(await shruti.download(base, quotaKey, videoId, true), `${videoId}.mp4`);
    // A failure is a non-200 with JSON the bot need not read.
    expect(await shruti.download(base, quotaKey, '8VajtrESJzA', false)).toBeNull();
  });

  it('Shruti, older clients with no key: the owner’s key in the base URL, a download token, the file (token in the query or a header)', async () => {
    const id = await ownVideo('so', AUDIO);
    expectAudio(await shruti.tokenDownload(`${base}/k/${key}`, id, false, 'query'), `${id}.mp3`);
    expectAudio(await shruti.tokenDownload(`${base}/k/${key}`, id, false, 'header'), `${id}.mp3`);
    const videoId = await ownVideo('sw', 'T4XJQO3qol8');
    expectJoinedVideo(await shruti.tokenDownload(`${base}/k/${key}`, videoId, true, 'query'), `${videoId}.mp4`);
    // Without the key in the base URL: refused, as JSON.
    expect(await shruti.tokenDownload(base, id, false, 'query')).toBeNull();
    expect(service.output()).not.toContain(key);
  });

  it('NexGen: /song and /video answer "done" with a link; the file is named from Content-Disposition (current) or `format` (older)', async () => {
    const id = await ownVideo('ng', AUDIO);
    expectAudio(await nexgen.download(base, key, base, id, false), (ext) => `downloads/${id}.${ext}`);
    const legacy = await nexgen.legacyDownload(base, key, id);
    expectAudio(legacy.file, (ext) => `${id}.${ext}`);
    const videoId = await ownVideo('nv', 'T4XJQO3qol8');
    expectJoinedVideo(await nexgen.download(base, key, base, videoId, true), `downloads/${videoId}.ts`);
    // Forks that fetch the link in parallel ranges first probe its size with `Range: bytes=0-0`, or HEAD.
    const answer = await aiohttpJson(await get(`${base}/song/${id}?api=${key}`, { timeout: 40 }));
    const probe = await get(answer.link, { headers: { Range: 'bytes=0-0' }, timeout: 40 });
    expect(probe.status).toBe(206);
    const total = Number(probe.headers.get('Content-Range')?.split('/')[1]);
    expect(Buffer.from(await probe.arrayBuffer())).toHaveLength(1);
    const head = await get(answer.link, { method: 'HEAD', timeout: 40 });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('Content-Length'))).toBe(total);
    expect(head.headers.get('Content-Disposition')).toBe(`attachment; filename="${id}.${answer.format}"`);
    const tail = await get(answer.link, { headers: { Range: `bytes=${total - 100}-${total - 1}` }, timeout: 40 });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toHaveLength(100);

    // The older client logs `error` / `message` of a refusal.
    const refused = await nexgen.legacyDownload(base, 'not-a-key', id);
    expect(refused.file).toBeNull();
    expect(refused.error).toMatch(/key/i);
  });

  it('DeadlineTech: both client versions start a job and download the file, polling jobStatus with or without a key', async () => {
    const id = await ownVideo('dl', AUDIO);
    const old = await deadline.downloadOld(base, key, `https://www.youtube.com/watch?v=${id}`, false);
    expectAudio(old.file, `${id}.m4a`);
    const fresh = await deadline.downloadNew(base, key, `https://youtu.be/${id}`, false);
    expect(fresh.polls).toBe(1);
    expectAudio(fresh.file, `${id}.m4a`);
    const videoId = await ownVideo('dv', 'T4XJQO3qol8');
    expectJoinedVideo((await deadline.downloadOld(base, key, videoId, true)).file, `${videoId}.mp4`);
    expectJoinedVideo((await deadline.downloadNew(base, key, videoId, true)).file, `${videoId}.mp4`);
  });

  it('YTProxy: /info with x-api-key, then audio_url / video_url downloaded with the same header', async () => {
    const id = await ownVideo('yp', AUDIO);
    expectAudio((await ytproxy.download(base, key, id, false)).file, `${id}.mp3`);
    const videoId = await ownVideo('yv', 'T4XJQO3qol8');
    expectJoinedVideo((await ytproxy.download(base, key, videoId, true)).file, `${videoId}.mp4`);
    const refused = await ytproxy.download(base, 'not-a-key', id, false);
    expect(refused).toMatchObject({ file: null, status: 401 });
    expect(refused.message).toMatch(/key/i);
  });

  it('SHUKLA: a https://t.me post of the public channel, audio and video, whose file is the track', async () => {
    const id = await ownVideo('ka', AUDIO);
    const audio = await shukla.telegramPost(base, key, id, false);
    expect(audio.status, JSON.stringify(audio.data)).toBe(200);
    if (!('channel' in audio)) throw new Error('no post');
    expect(audio.channel).toBe('ytmusiccache');
    const post = await fetch(`${telegram.url}/__control/post?channel=${audio.channel}&message_id=${audio.messageId}`);
    expect(post.status).toBe(200);
    // The channel holds the m4a the consumer uploads.
    expect(Buffer.from(await post.arrayBuffer()).equals(youtubeBytes(140, 11_664_965))).toBe(true);

    const videoId = await ownVideo('kv', 'T4XJQO3qol8');
    const video = await shukla.telegramPost(base, key, videoId, true);
    expect(video.status, JSON.stringify(video.data)).toBe(200);
    if (!('channel' in video)) throw new Error('no post');
    const videoPost = await fetch(`${telegram.url}/__control/post?channel=${video.channel}&message_id=${video.messageId}`);
    expect(Buffer.from(await videoPost.arrayBuffer()).length).toBe(2 * HLS_SEGMENT);

    const refused = await shukla.telegramPost(base, 'not-a-key', id, false);
    expect(refused.status).toBe(401);
  });

  it('Fallen: Yukki and TgMusicBot get {id, url, platform, cdnurl}; our file link before the upload, the t.me post after', async () => {
    const id = await ownVideo('fa', AUDIO);
    const watch = `https://www.youtube.com/watch?v=${id}`;
    const yukki = await fallen.yukki(base, key, watch);
    expect(yukki.status).toBe(200);
    expect(Object.keys(yukki.body)).toEqual(['id', 'url', 'platform', 'cdnurl']);
    expect(yukki.body.cdnurl).not.toMatch(fallen.yukkiTelegram);
    expectAudio(await fallen.httpDownload(yukki.body.cdnurl), (ext) => `${id}.${ext}`);

    const first = await fallen.tgmusic(base, key, `https://youtu.be/${id}`);
    const second = await fallen.tgmusic(base, key, `https://www.youtube.com/watch?v=${first.body.id}`);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(id);
    await waitForCache(id);
    const cached = await fallen.tgmusic(base, key, watch);
    expect(cached.body.cdnurl).toMatch(fallen.tgmusicTelegram);
    expect((await fallen.yukki(base, key, watch)).body.cdnurl).toMatch(fallen.yukkiTelegram);
  });

  it('a Telegram-cached track: every file shape serves the channel’s copy, the same bytes, named as before', async () => {
    const id = await ownVideo('tc', AUDIO);
    await waitForCache(id);
    const reference = await streamBytes(id);
    const before = await telegramFileDownloads();
    expectAudio(await shruti.download(base, key, id, false), `${id}.mp3`, reference);
    expectAudio(await shruti.tokenDownload(`${base}/k/${key}`, id, false, 'query'), `${id}.mp3`, reference);
    expectAudio(await nexgen.download(base, key, base, id, false), `downloads/${id}.m4a`, reference);
    expectAudio((await nexgen.legacyDownload(base, key, id)).file, `${id}.m4a`, reference);
    expectAudio((await deadline.downloadOld(base, key, id, false)).file, `${id}.m4a`, reference);
    expectAudio((await ytproxy.download(base, key, id, false)).file, `${id}.mp3`, reference);
    const played = await original.youtube(base, key, id, false);
    expect(played.body.cached).toBe(true);
    expect(played.body.telegram_url).toMatch(/^https:\/\/t\.me\/ytmusiccache\/\d+$/);
    const stream = await get(played.body.stream_url, { timeout: 60 });
    expect(Buffer.from(await stream.arrayBuffer()).equals(reference)).toBe(true);
    expect(await telegramFileDownloads()).toBeGreaterThanOrEqual(before + 7);
  });

  it('a key in the base URL (/k/<key>, with or without a trailing slash) serves every family, over the stale key its code still sends', async () => {
    const id = await ownVideo('kp', AUDIO);
    const prefixed = `${base}/k/${key}`;
    const name = (ext: string) => `${id}.${ext}`;
    expectAudio(await shruti.download(prefixed, '', id, false), `${id}.mp3`);
    expectAudio(await shruti.download(`${prefixed}/`, 'ShrutiBotsrbMgW4iant3n08lA59xB', id, false), `${id}.mp3`);
    expectAudio(await shruti.tokenDownload(`${prefixed}/`, id, false, 'header'), `${id}.mp3`);
    expectAudio(await nexgen.download(`${prefixed}/`, 'stale', `${prefixed}/`, id, false), (ext) => `downloads/${name(ext)}`);
    expectAudio((await deadline.downloadOld(`${prefixed}/`, 'stale', id, false)).file, `${id}.m4a`);
    expectAudio((await deadline.downloadNew(prefixed, 'stale', id, false)).file, `${id}.m4a`);
    expectAudio((await ytproxy.download(prefixed, 'stale', id, false)).file, `${id}.mp3`);
    expect((await shukla.telegramPost(prefixed, 'strangerapi95df51dde', id, false)).status).toBe(200);
    expect((await fallen.yukki(`${prefixed}/`, 'stale', `https://www.youtube.com/watch?v=${id}`)).status).toBe(200);
    expect((await fallen.tgmusic(prefixed, 'stale', `https://www.youtube.com/watch?v=${id}`)).status).toBe(200);
    expect((await original.youtube(prefixed, 'stale', id, false)).status).toBe(200);
    expect(service.output()).not.toContain(key);
  });

  it('the original: /youtube with an absolute stream_url that plays, {"error"} JSON with 401 for key failures, and its admin routes', async () => {
    const id = await ownVideo('or', AUDIO);
    const audio = await original.youtube(base, key, id, false);
    expect(audio.status).toBe(200);
    expect(audio.body).toMatchObject({ id, stream_type: 'Audio', cached: false, duration: 721 });
    const played = await get(audio.body.stream_url, { timeout: 60 });
    expect(played.status).toBe(200);
    expectAudio({ name: 'stream', bytes: Buffer.from(await played.arrayBuffer()), headers: played.headers }, 'stream');
    const videoId = await ownVideo('ov', 'T4XJQO3qol8');
    const video = await original.youtube(base, key, `https://www.youtube.com/watch?v=${videoId}`, true);
    expect(video.body.stream_type).toBe('Video');
    const file = await get(video.body.stream_url, { timeout: 600 });
    expect(file.headers.get('Content-Type')).toBe('video/mp2t');
    expect(Buffer.from(await file.arrayBuffer()).length).toBe(2 * HLS_SEGMENT);

    for (const bad of ['', 'not-a-key', '00000000-0000-4000-8000-000000000000']) {
      const refused = await get(`${base}/youtube?query=${id}${bad ? `&api_key=${bad}` : ''}`, { timeout: 10 });
      expect(refused.status).toBe(401);
      expect(Object.keys(await aiohttpJson(refused))).toEqual(['error']);
    }

    const admin = { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' };
    const created = await fetch(`${base}/admin/create-key`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'legacy bot', daily_limit: 5 }) });
    const createdBody = await aiohttpJson(created);
    expect(createdBody).toMatchObject({ success: true, message: 'API key created: legacy bot' });
    expect((await original.youtube(base, createdBody.key_id, id, false)).status).toBe(200);
    const deleted = await aiohttpJson(await fetch(`${base}/admin/delete-key/${createdBody.key_id}`, { method: 'DELETE', headers: admin }));
    expect(deleted).toEqual({ success: true, message: 'API key deleted successfully' });
    const gone = await fetch(`${base}/admin/delete-key/${createdBody.key_id}`, { method: 'DELETE', headers: admin });
    expect(gone.status).toBe(404);
    expect(await aiohttpJson(gone)).toEqual({ error: 'API key not found' });
    const stats = await aiohttpJson(await fetch(`${base}/admin/stats`, { headers: admin }));
    for (const field of ['total_requests', 'total_keys', 'active_keys', 'today_requests', 'error_rate']) expect(typeof stats[field]).toBe('number');
    expect(Array.isArray(stats.popular_endpoints)).toBe(true);
  });
});
