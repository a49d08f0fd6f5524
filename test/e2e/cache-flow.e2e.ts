import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramBotApi } from '../servers/telegram-bot-api';
import { startYouTubeUpstream } from '../servers/youtube-upstream';
import { freePort } from './support/api-server';
import { startService } from './support/npm-start';

/**
 * The Telegram-channel cache end to end under a real `npm start` (the API and
 * the consumer Worker in one wrangler dev, local queues and D1), against the
 * test YouTube and Telegram Bot API servers.
 */
const ADMIN = 'cache-flow-admin-key-0123456789';
const TOKEN = '777000111:cache-flow-bot-token-secret';
let youtube: Awaited<ReturnType<typeof startYouTubeUpstream>>;
let telegram: Awaited<ReturnType<typeof startTelegramBotApi>>;
let service: Awaited<ReturnType<typeof startService>>;
let key: string;

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
    KEY_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
  });
  const created = await fetch(`${service.url}/admin/keys`, {
    method: 'POST',
    headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'cache flow bot' }),
  });
  key = ((await created.json()) as { key: string }).key;
}, 240_000);

afterAll(async () => {
  service?.stop();
  await Promise.all([youtube?.close(), telegram?.close()]);
});

const resolve = async (query: string) => {
  const response = await fetch(`${service.url}/v1/resolve?query=${query}`, { headers: { 'X-API-Key': key } });
  return { status: response.status, body: (await response.json()) as any };
};
const playerCalls = async (videoId: string) =>
  ((await (await fetch(`${youtube.url}/__control/calls`, { method: 'POST' })).json()) as Array<{ path: string; videoId?: string }>).filter(
    (call) => call.path === '/youtubei/v1/player' && call.videoId === videoId,
  ).length;

describe('the Telegram-channel cache under npm start', () => {
  it('uploads a track once for concurrent first requests, then serves it from Telegram without YouTube', async () => {
    const first = await Promise.all([1, 2, 3, 4].map(() => resolve('M4gD1WSo5mA')));
    for (const answer of first) {
      expect(answer.status).toBe(200);
      expect(answer.body.cached).toBe(false);
      expect(answer.body.cache.status).toBe('pending');
    }

    let hit: { status: number; body: any } | undefined;
    for (let attempt = 0; attempt < 120; attempt++) {
      await new Promise((done) => setTimeout(done, 500));
      const answer = await resolve('M4gD1WSo5mA');
      if (answer.body.cache?.status === 'hit') {
        hit = answer;
        break;
      }
    }
    expect(hit, service.output().slice(-3000)).toBeDefined();
    const calls = (await (await fetch(`${telegram.url}/__control/calls?token=${encodeURIComponent(TOKEN)}`)).json()) as Array<{ method: string }>;
    expect(calls.filter((call) => call.method === 'sendAudio')).toHaveLength(1);
    expect(hit!.body.cached).toBe(true);
    expect(hit!.body.cache.telegram.message_url).toMatch(/^https:\/\/t\.me\/ytmusiccache\/\d+$/);

    const playerCallsBefore = await playerCalls('M4gD1WSo5mA');
    const again = await resolve('M4gD1WSo5mA');
    expect(again.body.cache.status).toBe('hit');
    const fileId = again.body.cache.telegram.file_id as string;
    const stored = new Uint8Array(await (await fetch(`${telegram.url}/__control/file?file_id=${encodeURIComponent(fileId)}`)).arrayBuffer());
    const range = await fetch(again.body.stream.url, { headers: { Range: 'bytes=1000-1999' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('Content-Range')).toBe(`bytes 1000-1999/${stored.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(Buffer.from(stored.subarray(1000, 2000)))).toBe(true);
    expect(await playerCalls('M4gD1WSo5mA')).toBe(playerCallsBefore);

    const compat = (await (await fetch(`${service.url}/youtube?query=M4gD1WSo5mA&api_key=${key}`)).json()) as any;
    expect(compat).toMatchObject({ cached: true, telegram_cached: true, telegram_file_id: fileId });

    // The bot token never reaches a client or the service's output.
    expect(JSON.stringify([first, hit, again, compat])).not.toContain(TOKEN);
    expect(service.output()).not.toContain(TOKEN);
  });

  it('says when it is ready, and prints no line per request unless WRANGLER_LOG=info (each would cost a loopback call to Node)', async () => {
    expect(service.output()).toMatch(/Ready: the API on http:\/\/127\.0\.0\.1:\d+/);
    expect((await fetch(`${service.url}/v1/resolve?query=M4gD1WSo5mA`)).status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(service.output()).not.toMatch(/GET \/v1\/resolve/);
  });

  it('answers SHUKLA bots a public post once the upload lands, audio and HLS-only video (one MPEG-TS file), and Fallen bots the post after', async () => {
    for (const [type, videoId, name] of [['audio', 'T4XJQO3qol8', 'T4XJQO3qol8.m4a'], ['video', 'tjz2u2DiveM', 'tjz2u2DiveM.ts']] as const) {
      const response = await fetch(`${service.url}/download/${type}?video_id=${videoId}&api_key=${key}`);
      const data = (await response.json()) as any;
      expect(response.status, JSON.stringify(data) + service.output().slice(-3000)).toBe(200);
      const [channel, messageId] = new URL(data.telegram_url).pathname.split('/').filter(Boolean);
      expect(channel).toBe('ytmusiccache');
      const post = await fetch(`${telegram.url}/__control/post?channel=${channel}&message_id=${messageId}`);
      expect(post.status).toBe(200);
      expect(post.headers.get('x-file-name')).toBe(name);
      const bytes = Buffer.from(await post.arrayBuffer());
      expect(bytes.length).toBeGreaterThan(0);
      if (type === 'video') expect(bytes.length).toBe(2 * 188_000);
    }
    const track = (await (await fetch(`${service.url}/api/track?url=${encodeURIComponent('https://www.youtube.com/watch?v=T4XJQO3qol8')}`, { headers: { 'X-API-Key': key } })).json()) as any;
    expect(track).toMatchObject({ id: 'T4XJQO3qol8', platform: 'youtube', cdnurl: expect.stringMatching(/^https:\/\/t\.me\/ytmusiccache\/\d+$/) });
  });
});
