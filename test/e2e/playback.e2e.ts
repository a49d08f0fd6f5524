import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMedia, MEDIA_SECONDS, type RealMedia } from '../servers/real-media';
import { startTelegramBotApi } from '../servers/telegram-bot-api';
import { startYouTubeUpstream } from '../servers/youtube-upstream';
import { freePort } from './support/api-server';
import { deadline, fallen, nexgen, original, shruti, shukla, ytproxy, type SavedFile } from './support/bot-families';
import { codecsOf, play, probe } from './support/ffmpeg';
import { startService } from './support/npm-start';

/**
 * Every kind of link the service hands out, played by the client Telegram
 * music bots play through — Debian's stock ffmpeg, no flags — on real media
 * (a tone and a test picture encoded in set-up) that the test googlevideo
 * serves with its Range and `range=` semantics and real HLS playlists; the
 * whole service under `npm start`.
 */
const ADMIN = 'playback-admin-key-0123456789abcdef';
const TOKEN = '777000222:playback-bot-token-secret';
const work = mkdtempSync(join(tmpdir(), 'playback-'));
let media: RealMedia;
let youtube: Awaited<ReturnType<typeof startYouTubeUpstream>>;
let telegram: Awaited<ReturnType<typeof startTelegramBotApi>>;
let service: Awaited<ReturnType<typeof startService>>;
let key: string;
let aliasCount = 0;

beforeAll(async () => {
  media = generateMedia(join(work, 'media'));
  [youtube, telegram] = await Promise.all([startYouTubeUpstream(), startTelegramBotApi()]);
  await fetch(`${telegram.url}/__control/bot`, { method: 'POST', body: JSON.stringify({ token: TOKEN }) });
  const hosts = ['www.youtube.com', 'youtubei.googleapis.com', 'music.youtube.com', '*.googlevideo.com', '*.ytimg.com'];
  service = await startService(await freePort(), {
    UPSTREAM_ORIGINS: JSON.stringify({ ...Object.fromEntries(hosts.map((host) => [host, youtube.url])), 'api.telegram.org': telegram.url }),
    ADMIN_API_KEY: ADMIN,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_CHANNEL_ID: '@ytmusiccache',
    RATE_LIMIT_PER_MINUTE: '0',
    KEY_RATE_LIMIT_PER_MINUTE: '0',
  });
  const created = await fetch(`${service.url}/admin/keys`, {
    method: 'POST', headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'playback bot' }),
  });
  key = ((await created.json()) as { key: string }).key;
}, 300_000);

afterAll(async () => {
  service?.stop();
  await Promise.all([youtube?.close(), telegram?.close()]);
});

/**
 * A video of the test's own whose formats are the real media: a recording (its metadata, its HLS
 * manifest) under a new id. M4gD1WSo5mA offers no progressive format (video is its HLS stream),
 * X4VbdwhkE10 is live, T4XJQO3qol8 is HLS-only for video.
 */
async function realVideo(recordedId: string, options: { progressive?: boolean } = {}): Promise<string> {
  const videoId = `pb${String(++aliasCount).padStart(2, '0')}${Math.random().toString(36).slice(2, 9)}`.slice(0, 11);
  await fetch(`${youtube.url}/__control/alias`, { method: 'POST', body: JSON.stringify({ videoId, recordedId }) });
  youtube.useRealMedia(videoId, media, options);
  return videoId;
}

async function resolve(videoId: string, type: 'audio' | 'video' = 'audio'): Promise<any> {
  const response = await fetch(`${service.url}/v1/resolve?query=${videoId}&type=${type}`, { headers: { 'X-API-Key': key } });
  expect(response.status).toBe(200);
  return response.json();
}

const near = (seconds: number, expected = MEDIA_SECONDS, slack = 0.5) => expect(Math.abs(seconds - expected), `${seconds} s, not ${expected}`).toBeLessThanOrEqual(slack);

async function expectPlays(url: string, codecs: string[], seconds = MEDIA_SECONDS) {
  const probed = await probe(url);
  expect(codecsOf(probed)).toEqual([...codecs].sort());
  near(probed.duration, seconds);
  const played = await play(url);
  expect(played.errors).toBe('');
  expect(played.code).toBe(0);
  near(played.seconds, seconds);
  return probed;
}

function savedFile(file: SavedFile | null): string {
  expect(file).not.toBeNull();
  const path = join(work, `${aliasCount}-${file!.name.replace(/[^\w.-]/g, '_')}`);
  writeFileSync(path, file!.bytes);
  return path;
}

describe('links play in stock ffmpeg', () => {
  it('audio: the link plays whole and from a seek, with its type and length', async () => {
    const body = await resolve(await realVideo('M4gD1WSo5mA'));
    const url: string = body.stream.url;
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('Content-Type')).toMatch(/^audio\//);
    expect(head.headers.get('Accept-Ranges')).toBe('bytes');
    expect(Number(head.headers.get('Content-Length'))).toBe(body.stream.size);
    const probed = await expectPlays(url, [body.stream.mime.includes('opus') ? 'audio:opus' : 'audio:aac']);
    expect(probed.formatName).toMatch(/matroska|webm|mp4|mov/);
    // -ss before -i: ffmpeg seeks with a Range request and decodes from there to the end.
    const seeked = await play(url, ['-ss', '3']);
    expect(seeked.errors).toBe('');
    near(seeked.seconds, MEDIA_SECONDS - 3);
    // Both audio-only formats play too (the m4a and the webm/opus).
    expect(body.formats.audio_only).not.toBeNull();
  });

  it('progressive video: H.264 + AAC in MP4', async () => {
    const body = await resolve(await realVideo('M4gD1WSo5mA', { progressive: true }), 'video');
    expect(body.stream.delivery).toBe('direct');
    const probed = await expectPlays(body.stream.url, ['video:h264', 'audio:aac']);
    expect(probed.formatName).toMatch(/mp4/);
    const response = await fetch(body.stream.url, { headers: { Range: 'bytes=0-99' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('Content-Length')).toBe('100');
    await response.arrayBuffer();
  });

  it('HLS (a video offered only as HLS, and a live stream): the playlist plays with no flags, every URI ending in its extension', async () => {
    for (const recorded of ['M4gD1WSo5mA', 'X4VbdwhkE10']) {
      const body = await resolve(await realVideo(recorded), 'video');
      expect(body.stream.delivery).toBe('hls');
      const master = await fetch(body.stream.url);
      expect(master.headers.get('Content-Type')).toBe('application/vnd.apple.mpegurl');
      const variants = (await master.text()).split('\n').filter((line) => line && !line.startsWith('#'));
      for (const uri of variants) expect(new URL(uri).pathname).toMatch(/\.m3u8$/);
      const segments = (await (await fetch(variants[0]!)).text()).split('\n').filter((line) => line && !line.startsWith('#'));
      expect(segments.length).toBe(media.hls.length);
      for (const uri of segments) expect(new URL(uri).pathname).toMatch(/\.ts$/);
      const segment = await fetch(segments[0]!);
      expect(segment.headers.get('Content-Type')).toBe('video/mp2t');
      expect(Number(segment.headers.get('Content-Length'))).toBe(media.hls[0]!.bytes.length);
      await segment.arrayBuffer();
      await expectPlays(body.stream.url, ['video:h264', 'audio:aac']);
    }
  });

  it("each bot shape's file plays: audio, and the joined MPEG-TS of an HLS-only video", async () => {
    const audioId = await realVideo('M4gD1WSo5mA');
    const videoId = await realVideo('T4XJQO3qol8');
    const audioFiles = [
      await shruti.download(service.url, key, audioId, false),
      await nexgen.download(service.url, key, service.url, audioId, false),
      (await deadline.downloadNew(service.url, key, `https://youtu.be/${audioId}`, false)).file,
      (await ytproxy.download(service.url, key, audioId, false)).file,
    ];
    for (const file of audioFiles) {
      const probed = await probe(savedFile(file));
      expect(codecsOf(probed)).toHaveLength(1);
      expect(probed.streams[0]!.codec_type).toBe('audio');
      near(probed.duration);
    }
    const videoFiles = [
      await shruti.download(service.url, key, videoId, true),
      await nexgen.download(service.url, key, service.url, videoId, true),
      (await deadline.downloadNew(service.url, key, videoId, true)).file,
      (await ytproxy.download(service.url, key, videoId, true)).file,
    ];
    for (const file of videoFiles) {
      const path = savedFile(file);
      const probed = await probe(path);
      expect(probed.formatName).toBe('mpegts');
      expect(codecsOf(probed)).toEqual(['audio:aac', 'video:h264']);
      near(probed.duration);
      const played = await play(path);
      expect(played.errors).toBe('');
    }
  });

  it("the URLs bots hand straight to ffmpeg play: the original's stream_url (audio, joined video), Fallen's cdnurl, SHUKLA's channel post", async () => {
    const audioId = await realVideo('M4gD1WSo5mA');
    const videoId = await realVideo('T4XJQO3qol8');
    const audio = await original.youtube(service.url, key, audioId, false);
    expect(audio.status).toBe(200);
    const probedAudio = await probe(audio.body.stream_url);
    expect(probedAudio.streams.map((stream) => stream.codec_type)).toEqual(['audio']);
    near(probedAudio.duration);
    expect((await play(audio.body.stream_url)).errors).toBe('');
    const video = await original.youtube(service.url, key, videoId, true);
    expect(video.status).toBe(200);
    const played = await play(video.body.stream_url);
    expect(played.errors).toBe('');
    near(played.seconds);
    expect(codecsOf(await probe(video.body.stream_url))).toEqual(['audio:aac', 'video:h264']);

    // A track's first request: its cdnurl is this service's file link (later ones name the channel post).
    const track = await fallen.yukki(service.url, key, `https://www.youtube.com/watch?v=${await realVideo('M4gD1WSo5mA')}`);
    expect(track.status).toBe(200);
    expect(track.body.cdnurl).not.toMatch(fallen.yukkiTelegram);
    near((await probe(track.body.cdnurl)).duration);

    const post = await shukla.telegramPost(service.url, key, await realVideo('M4gD1WSo5mA'), false);
    expect(post.status).toBe(200);
    const { channel, messageId } = post as { channel: string; messageId: number };
    const posted = await fetch(`${telegram.url}/__control/post?channel=${encodeURIComponent(channel)}&message_id=${messageId}`);
    expect(posted.status).toBe(200);
    const path = savedFile({ name: `post-${messageId}`, bytes: Buffer.from(await posted.arrayBuffer()), headers: posted.headers });
    const probedPost = await probe(path);
    expect(probedPost.streams.map((stream) => stream.codec_type)).toEqual(['audio']);
    near(probedPost.duration);
  });

  it('the Telegram cached copy plays, with its Content-Length whole and ranged, even when Telegram answers a range with the whole file', async () => {
    const videoId = await realVideo('M4gD1WSo5mA');
    let body = await resolve(videoId);
    for (let attempt = 0; attempt < 60 && body.cache?.status !== 'hit'; attempt++) {
      await new Promise((done) => setTimeout(done, 1_000));
      body = await resolve(videoId);
    }
    expect(body.cache.status).toBe('hit');
    expect(body.stream.delivery).toBe('telegram');
    const url: string = body.stream.url;
    const size: number = body.stream.size;
    await expectPlays(url, [body.stream.mime.includes('webm') ? 'audio:opus' : 'audio:aac']);
    await fetch(`${telegram.url}/__control/whole-file`, { method: 'POST', body: JSON.stringify({ token: TOKEN }) });
    for (const [range, length] of [[null, size], ['bytes=100-', size - 100], ['bytes=0-999', 1000]] as const) {
      const response = await fetch(url, { headers: range ? { Range: range } : {} });
      expect(response.status).toBe(range ? 206 : 200);
      expect(response.headers.get('Content-Length'), `${range ?? 'whole'}`).toBe(String(length));
      expect((await response.arrayBuffer()).byteLength).toBe(length);
    }
    const seeked = await play(url, ['-ss', '3']);
    expect(seeked.errors).toBe('');
    near(seeked.seconds, MEDIA_SECONDS - 3);
  });
});
