import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResolvedVideo } from '../workers/core/src/youtube/types';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { upstream } from './support/api';
import { claim, CHANNEL, consumerEnv, consumerFetch, runJobs, store, telegram, testVideoId } from './support/telegram-cache';

// "dog" (tjz2u2DiveM): 11 s; its m4a (itag 140) has 180018 bytes.
const RECORDING = 'tjz2u2DiveM';
const M4A = { itag: 140, size: 180_018 };
const MiB = 1024 * 1024;

async function newTrack(prefix: string): Promise<string> {
  const videoId = testVideoId(prefix);
  await upstream.alias(videoId, RECORDING);
  await claim(videoId);
  return videoId;
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return actual.length === expected.length && Buffer.from(actual).equals(Buffer.from(expected));
}

/** A video the YouTube stand-in does not have: one format of `size` bytes that its googlevideo serves. */
function fakeVideo(videoId: string, format: { itag: number; size: number; mime: string; video?: boolean }): ResolvedVideo {
  return {
    id: videoId,
    title: 'Synthetic track',
    duration: 600,
    channel: 'Test Artist - Topic',
    views: 5,
    thumbnail: `https://i.ytimg.com/vi/${videoId}/hqdefault.jpg`,
    isLive: false,
    source: 'test',
    hlsManifestUrl: null,
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    formats: [
      {
        itag: format.itag,
        url: `https://rr1---sn-test.googlevideo.com/videoplayback?id=${videoId}&itag=${format.itag}&clen=${format.size}`,
        mime: format.mime,
        bitrate: 128_000,
        size: format.size,
        hasAudio: true,
        hasVideo: format.video ?? false,
      },
    ],
  };
}

afterEach(() => vi.restoreAllMocks());

describe('cache consumer: uploads', () => {
  it('uploads the m4a with sendAudio as the Bot API documents it, and records the file', async () => {
    const token = await telegram.newBot();
    const videoId = await newTrack('up');
    const result = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token));
    expect(result.explicitAcks).toEqual(['job-0']);
    expect(result.retryMessages).toEqual([]);

    const [send] = (await telegram.calls(token)).filter((call) => call.method === 'sendAudio');
    expect(send.status).toBe(200);
    expect(send.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(send.fields).toMatchObject({ chat_id: CHANNEL, title: 'dog', performer: 'Jony Tube', duration: '11', disable_notification: 'true' });
    expect(send.fields.caption).toBe(`dog\nhttps://youtu.be/${videoId}`);
    expect(send.fields.audio).toMatch(/^attach:\/\/\w+$/);
    expect(send.fields.thumbnail).toMatch(/^attach:\/\/\w+$/);
    expect(send.files[send.fields.audio.slice('attach://'.length)]).toMatchObject({ filename: `${videoId}.m4a`, size: M4A.size });
    expect(send.files[send.fields.thumbnail.slice('attach://'.length)]).toMatchObject({ filename: 'thumbnail.jpg', size: 2048 });

    const entry = await store.getCacheEntry(videoId, 'audio');
    expect(entry).toMatchObject({ status: 'ready', chat_id: CHANNEL, size: M4A.size, mime: 'audio/mp4', title: 'dog', duration: 11, channel: 'Jony Tube', views: 142650 });
    expect(entry!.message_id).toBeGreaterThan(0);
    expect(entry!.expires_at!.getTime() - entry!.cached_at!.getTime()).toBe(30 * 86_400_000);
    const uploaded = await telegram.fileBytes(entry!.file_id!);
    expect(sameBytes(uploaded, streamBytes(seedOf(`${M4A.itag}:${M4A.size}`), 0, M4A.size - 1))).toBe(true);
  });

  it('records a private channel by its number', async () => {
    const token = await telegram.newBot();
    const videoId = await newTrack('pr');
    await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token, { TELEGRAM_CHANNEL_ID: '-1001000000002' }));
    expect(await store.getCacheEntry(videoId, 'audio')).toMatchObject({ status: 'ready', chat_id: '-1001000000002' });
  });

  it('sends a progressive video with sendVideo, byte for byte, in ≤ 10 MB googlevideo requests', async () => {
    const token = await telegram.newBot();
    const videoId = testVideoId('vi');
    await claim(videoId, 'video');
    const size = 3 * MiB + 123;
    const video = fakeVideo(videoId, { itag: 18, size, mime: 'video/mp4; codecs="avc1.42001E, mp4a.40.2"', video: true });
    const result = await runJobs([{ video_id: videoId, type: 'video' }], consumerEnv(token), { overrides: { resolveVideo: async () => video } });
    expect(result.explicitAcks).toEqual(['job-0']);
    const [send] = (await telegram.calls(token)).filter((call) => call.method === 'sendVideo');
    expect(send.fields).toMatchObject({ chat_id: CHANNEL, duration: '600', supports_streaming: 'true' });
    const entry = await store.getCacheEntry(videoId, 'video');
    expect(entry).toMatchObject({ status: 'ready', size, mime: 'video/mp4' });
    expect(sameBytes(await telegram.fileBytes(entry!.file_id!), streamBytes(seedOf(`18:${size}`), 0, size - 1))).toBe(true);
    const chunks = (await upstream.calls()).filter((call) => call.path === '/videoplayback' && call.videoId === videoId);
    expect(chunks.length).toBe(4);
    for (const call of chunks) expect(call.bytes).toBeLessThanOrEqual(MiB);
  });

  it('never follows a googlevideo redirect off the media hosts while downloading', async () => {
    const token = await telegram.newBot();
    const videoId = testVideoId('rd');
    await claim(videoId, 'video');
    const video = fakeVideo(videoId, { itag: 18, size: 2 * MiB, mime: 'video/mp4; codecs="avc1.42001E, mp4a.40.2"', video: true });
    await upstream.hostile({ match: `videoplayback?id=${videoId}&`, redirect: `${upstream.internalUrl}/__internal/consumer`, times: 20 });
    const result = await runJobs([{ video_id: videoId, type: 'video' }], consumerEnv(token), { overrides: { resolveVideo: async () => video } });
    expect(result.explicitAcks).toEqual([]);
    expect(await upstream.internalHits()).not.toContain('/__internal/consumer');
    expect((await telegram.calls(token)).filter((call) => call.method === 'sendVideo' && call.status === 200)).toEqual([]);
    expect((await store.getCacheEntry(videoId, 'video'))?.status).not.toBe('ready');
  });

  it('uploads a video YouTube offers only as HLS as one MPEG-TS document: one variant’s segments, in order', async () => {
    const token = await telegram.newBot();
    const videoId = testVideoId('hl');
    await upstream.alias(videoId, RECORDING);
    await claim(videoId, 'video');
    const result = await runJobs([{ video_id: videoId, type: 'video' }], consumerEnv(token));
    expect(result.explicitAcks).toEqual(['job-0']);
    expect(result.retryMessages).toEqual([]);

    const sends = (await telegram.calls(token)).filter((call) => call.method.startsWith('send'));
    expect(sends.map((call) => call.method)).toEqual(['sendDocument']);
    const part = sends[0]!.files[sends[0]!.fields.document!.slice('attach://'.length)];
    // The test HLS stream: 720p (itag 95) and 240p variants of two 188,000-byte segments; 11 s at 1.5 Mbit/s fits 20 MB.
    expect(part).toMatchObject({ filename: `${videoId}.ts`, size: 2 * 188_000 });
    const entry = await store.getCacheEntry(videoId, 'video');
    expect(entry).toMatchObject({ status: 'ready', mime: 'video/mp2t', size: 2 * 188_000, chat_id: CHANNEL });
    const segment = (sq: number) => streamBytes(seedOf(`95:188000:sq${sq}`), 0, 187_999);
    const stored = await telegram.fileBytes(entry!.file_id!);
    expect(sameBytes(stored, new Uint8Array([...segment(1), ...segment(2)]))).toBe(true);
    expect(Buffer.from(stored.subarray(0, 7)).toString()).not.toBe('#EXTM3U');
  });

  it('joins the smallest variant when none fits, and records too_large when even that is over the limit', async () => {
    const token = await telegram.newBot();
    const videoId = testVideoId('hb');
    await upstream.alias(videoId, RECORDING);
    await claim(videoId, 'video');
    const result = await runJobs([{ video_id: videoId, type: 'video' }], consumerEnv(token, { CACHE_MAX_FILE_BYTES: '300000' }));
    expect(result.explicitAcks).toEqual(['job-0']);
    const entry = await store.getCacheEntry(videoId, 'video');
    expect(entry).toMatchObject({ status: 'too_large' });
    const segments = (await upstream.calls()).filter((call) => call.path.startsWith('/videoplayback/id/hls/'));
    expect(segments.some((call) => call.path.includes('/itag/92/'))).toBe(true);
  });

  it('fails a video with neither one file nor HLS, with the reason, and acknowledges the job', async () => {
    const token = await telegram.newBot();
    const videoId = testVideoId('nv');
    await claim(videoId, 'video');
    const video = fakeVideo(videoId, { itag: 137, size: 1000, mime: 'video/mp4; codecs="avc1.640028"' });
    const result = await runJobs([{ video_id: videoId, type: 'video' }], consumerEnv(token), { overrides: { resolveVideo: async () => video } });
    expect(result.explicitAcks).toEqual(['job-0']);
    const entry = await store.getCacheEntry(videoId, 'video');
    expect(entry).toMatchObject({ status: 'failed' });
    expect(entry!.failure_reason).toMatch(/separate audio and video/);
    expect(await telegram.calls(token)).toEqual([]);
  });

  it('skips a job whose entry is already ready (queues deliver at least once)', async () => {
    const token = await telegram.newBot();
    const videoId = await newTrack('du');
    await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token));
    const again = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token));
    expect(again.explicitAcks).toEqual(['job-0']);
    expect((await telegram.calls(token)).filter((call) => call.method === 'sendAudio')).toHaveLength(1);
  });

  it('acknowledges and drops a malformed job', async () => {
    const result = await runJobs([{ video_id: 'not an id', type: 'audio' } as never], consumerEnv(await telegram.newBot()));
    expect(result.explicitAcks).toEqual(['job-0']);
  });
});

describe('cache consumer: Telegram faults', () => {
  it('waits out a 429 for exactly retry_after, then uploads', async () => {
    const token = await telegram.newBot();
    const videoId = await newTrack('rl');
    await telegram.fault(token, { status: 429, retry_after: 7, method: 'sendAudio' });
    const first = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token));
    expect(first.retryMessages).toEqual([{ msgId: 'job-0', delaySeconds: 7 }]);
    expect(first.explicitAcks).toEqual([]);
    expect(await store.getCacheEntry(videoId, 'audio')).toMatchObject({ status: 'pending' });
    const second = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token), { attempts: 2 });
    expect(second.explicitAcks).toEqual(['job-0']);
    expect(await store.getCacheEntry(videoId, 'audio')).toMatchObject({ status: 'ready' });
  });

  it('backs off on a 500, then marks the entry failed and dead-letters the job on the last attempt', async () => {
    const token = await telegram.newBot();
    const videoId = await newTrack('f5');
    await telegram.fault(token, { status: 500, times: 10, method: 'sendAudio' });
    const env = consumerEnv(token, { CACHE_RETRY_BASE_SECONDS: '10' });
    const delays: Array<number | undefined> = [];
    for (let attempts = 1; attempts <= 3; attempts++) {
      const result = await runJobs([{ video_id: videoId, type: 'audio' }], env, { attempts });
      expect(result.explicitAcks).toEqual([]);
      delays.push(result.retryMessages[0]?.delaySeconds);
      expect(await store.getCacheEntry(videoId, 'audio')).toMatchObject({ status: 'pending' });
    }
    expect(delays).toEqual([10, 20, 40]);
    // CACHE_MAX_RETRIES=3: the fourth delivery is the last one the queue makes.
    const last = await runJobs([{ video_id: videoId, type: 'audio' }], env, { attempts: 4 });
    expect(last.explicitAcks).toEqual([]);
    expect(last.retryMessages.map((message) => message.msgId)).toEqual(['job-0']);
    const entry = await store.getCacheEntry(videoId, 'audio');
    expect(entry).toMatchObject({ status: 'failed' });
    expect(entry!.failure_reason).toMatch(/500/);
  });

  it('fails at once, with Telegram’s reason, when the channel does not exist or the bot is not in it', async () => {
    const token = await telegram.newBot();
    for (const [channel, reason] of [
      ['@nosuchchannel', /400.*chat not found/],
      ['@notourchannel', /403.*not a member/],
    ] as const) {
      const videoId = await newTrack('ch');
      const result = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token, { TELEGRAM_CHANNEL_ID: channel }));
      expect(result.explicitAcks).toEqual(['job-0']);
      const entry = await store.getCacheEntry(videoId, 'audio');
      expect(entry?.status).toBe('failed');
      expect(entry!.failure_reason).toMatch(reason);
    }
  });
});

describe('cache consumer: Telegram size limits', () => {
  const audio = (videoId: string, size: number) => fakeVideo(videoId, { itag: 140, size, mime: 'audio/mp4; codecs="mp4a.40.2"' });

  it.each([
    ['over getFile’s 20 MB', 20 * MiB + 1],
    ['over the 50 MB upload limit', 50 * MiB + 1],
  ])('records too_large %s with Telegram’s own Bot API, uploading nothing', async (_label, size) => {
    const token = await telegram.newBot();
    const videoId = testVideoId('tl');
    await claim(videoId);
    const result = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token), { overrides: { resolveVideo: async () => audio(videoId, size) } });
    expect(result.explicitAcks).toEqual(['job-0']);
    const entry = await store.getCacheEntry(videoId, 'audio');
    expect(entry?.status).toBe('too_large');
    expect(entry!.failure_reason).toMatch(/20 MB/);
    expect(await telegram.calls(token)).toEqual([]);
  });

  it('says whether the channel is public, asking Telegram once when it is given by number', async () => {
    const token = await telegram.newBot();
    const status = async (channel: string) => (await (await consumerFetch(consumerEnv(token, { TELEGRAM_CHANNEL_ID: channel }), '/status')).json()) as any;
    expect((await status('@ytmusiccache')).channel_public).toBe(true);
    expect((await status('-1001000000001')).channel_public).toBe(true);
    expect((await status('-1001000000002')).channel_public).toBe(false);
    await status('-1001000000002');
    expect((await telegram.calls(token)).filter((call) => call.method === 'getChat')).toHaveLength(2);
    expect((await (await consumerFetch(consumerEnv(null), '/status')).json()) as any).toMatchObject({ enabled: false, channel_public: null });
  });

  it('uploads and serves a 21 MB file through a local Bot API server, which lifts both limits', async () => {
    const token = await telegram.newBot(telegram.local);
    const videoId = testVideoId('lo');
    await claim(videoId);
    const size = 21 * MiB;
    const env = consumerEnv(token, { TELEGRAM_API_ROOT: telegram.local });
    expect(await (await consumerFetch(env, '/status')).json()).toEqual({ enabled: true, local_api: true, max_file_bytes: 2000 * MiB, channel_public: true });
    const result = await runJobs([{ video_id: videoId, type: 'audio' }], env, { overrides: { resolveVideo: async () => audio(videoId, size) } });
    expect(result.explicitAcks).toEqual(['job-0']);
    const entry = await store.getCacheEntry(videoId, 'audio');
    expect(entry).toMatchObject({ status: 'ready', size });
    const seed = seedOf(`140:${size}`);
    expect(sameBytes(await telegram.fileBytes(entry!.file_id!, telegram.local), streamBytes(seed, 0, size - 1))).toBe(true);
    const tail = await consumerFetch(env, `/files/${entry!.file_id}`, { headers: { Range: `bytes=${size - 1000}-` } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('Content-Range')).toBe(`bytes ${size - 1000}-${size - 1}/${size}`);
    expect(sameBytes(new Uint8Array(await tail.arrayBuffer()), streamBytes(seed, size - 1000, size - 1))).toBe(true);
  });
});

describe('cache consumer: the bot token stays inside', () => {
  it('never puts the token in a log line, a failure reason or a response', async () => {
    const token = await telegram.newBot();
    const unknownToken = `${token.split(':')[0]}1:AAunregistered${crypto.randomUUID().replace(/-/g, '')}`;
    const lines: string[] = [];
    for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    }
    const bodies: string[] = [];
    for (const [secret, extra] of [
      [token, { LOG_LEVEL: 'debug', DEBUG: 'true' }],
      [unknownToken, { LOG_LEVEL: 'debug' }],
    ] as const) {
      const env = consumerEnv(secret, extra);
      const videoId = await newTrack('tk');
      await telegram.fault(token, { status: 500, method: 'sendAudio' });
      await runJobs([{ video_id: videoId, type: 'audio' }], env, { attempts: 4 });
      const entry = await store.getCacheEntry(videoId, 'audio');
      bodies.push(entry!.failure_reason ?? '');
      for (const path of ['/status', '/files/AgADnosuchfile', '/files/x%2F..%2F..', '/nowhere']) {
        const response = await consumerFetch(env, path, { headers: { Range: 'bytes=0-10' } });
        bodies.push(await response.text(), JSON.stringify([...response.headers]));
      }
    }
    expect(bodies.some((body) => body.includes('Unauthorized'))).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...lines, ...bodies]) {
      for (const secret of [token, unknownToken]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
        expect(text).not.toContain(secret.split(':')[1]);
      }
    }
  });
});

describe('cache consumer: without a bot token', () => {
  it('says caching is off, serves nothing, and closes jobs that arrive anyway', async () => {
    const env = consumerEnv(null);
    expect(await (await consumerFetch(env, '/status')).json()).toMatchObject({ enabled: false });
    const file = await consumerFetch(env, '/files/AgADsomething');
    expect(file.status).toBe(503);
    expect((await file.json<any>()).error.code).toBe('telegram.disabled');
    const videoId = await newTrack('nt');
    const result = await runJobs([{ video_id: videoId, type: 'audio' }], env);
    expect(result.explicitAcks).toEqual(['job-0']);
    expect((await store.getCacheEntry(videoId, 'audio'))?.failure_reason).toMatch(/TELEGRAM_BOT_TOKEN/);
  });

  it('answers a bad setting with config.invalid naming it, never the value', async () => {
    const response = await consumerFetch(consumerEnv(null, { TELEGRAM_BOT_TOKEN: 'not-a-token-value' }), '/status');
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toContain('TELEGRAM_BOT_TOKEN');
    expect(body).not.toContain('not-a-token-value');
  });
});
