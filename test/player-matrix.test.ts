import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { forgetLoadedPlayers } from '../workers/core/src/youtube/player-cipher';
import { upstream } from './support/api';
import { apiWith } from './support/api-with';
import { seedOf, streamBytes } from './servers/stream-bytes';

/**
 * Every playable recording through each ciphered client under every 2025–2026 player build:
 * the player request carries that build's signatureTimestamp, sig and n come out as yt-dlp
 * computes them (the test googlevideo checks), and the stream is byte-exact.
 */
const PLAYERS_2025_2026 = ['074a8365', '6b3caec8', '6e20d3a8', 'c9168c90'];
const stsOf = import.meta.glob<number>('./fixtures/youtube/player-js/*-base.json', { eager: true, import: 'signature_timestamp' });
const recordings = import.meta.glob<{ response: { body: any } }>('./fixtures/youtube/player/*.json', { eager: true, import: 'default' });
const playable = Object.entries(recordings)
  .filter(([, recording]) => recording.response.body.playabilityStatus?.status === 'OK' && recording.response.body.streamingData?.adaptiveFormats?.some((f: any) => f.contentLength))
  .map(([path]) => path.split('/').pop()!.replace('.json', ''));
const itagOfSize = new Map<number, number>();
for (const recording of Object.values(recordings)) {
  for (const format of recording.response.body.streamingData?.adaptiveFormats ?? []) itagOfSize.set(Number(format.contentLength), format.itag);
}
const WIRE = { TV: 'TVHTML5', WEB_EMBEDDED: 'WEB_EMBEDDED_PLAYER' } as const;
// Whole streams up to this size; past it the first and last 256 KiB (the chunk joins are stream.test.ts's).
const WHOLE_LIMIT = 1536 * 1024;
const EDGE = 256 * 1024;

beforeEach(async () => {
  await resetIsolateClientHealth();
});
afterAll(async () => {
  await upstream.player('c9168c90');
});

async function expectBytes(app: ReturnType<typeof apiWith>, path: string, size: number) {
  const expected = (start: number, end: number) => Buffer.from(streamBytes(seedOf(`${itagOfSize.get(size)}:${size}`), start, end));
  if (size <= WHOLE_LIMIT) {
    const response = await app.call(path);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(expected(0, size - 1))).toBe(true);
    return;
  }
  for (const [start, end] of [[0, EDGE - 1], [size - EDGE, size - 1]] as const) {
    const response = await app.call(path, { headers: { Range: `bytes=${start}-${end}` } });
    expect(response.status).toBe(206);
    expect(Buffer.from(await response.arrayBuffer()).equals(expected(start, end))).toBe(true);
  }
}

describe.each(PLAYERS_2025_2026)('player %s', (playerId) => {
  it.each(['TV', 'WEB_EMBEDDED'] as const)('every recorded video resolves through %s and streams byte-exact', { timeout: 180_000 }, async (client) => {
    await upstream.player(playerId);
    // The isolate keeps the player id it read from iframe_api for minutes; this build is new to it.
    await forgetLoadedPlayers();
    const app = apiWith({ YOUTUBE_CLIENTS: client, FALLBACK_INSTANCES: '' });
    const sts = stsOf[`./fixtures/youtube/player-js/${playerId}-base.json`] ?? 20472;
    for (const recorded of playable) {
      const videoId = `m${playerId.slice(0, 4)}${client === 'TV' ? 't' : 'e'}${recorded.slice(0, 4)}`.slice(0, 11).padEnd(11, '0');
      await upstream.alias(videoId, recorded);
      const resolved = await app.json(`/v1/resolve?query=${videoId}`);
      expect(resolved.status, `${recorded}: ${resolved.text}`).toBe(200);
      const asked = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
      expect(asked.map((call) => [call.client, call.sts])).toEqual([[WIRE[client], sts]]);
      const before = (await upstream.calls()).length;
      await expectBytes(app, new URL(resolved.body.stream.url).pathname, resolved.body.stream.size);
      const media = (await upstream.calls()).slice(before).filter((call) => call.path === '/videoplayback');
      expect(media.length).toBeGreaterThan(0);
      expect(media.filter((call) => call.refused)).toEqual([]);
    }
  });
});

describe('a new player build', () => {
  it('is picked up when googlevideo refuses the URLs signed for the player the isolate still holds', { timeout: 120_000 }, async () => {
    await upstream.player('c9168c90');
    await forgetLoadedPlayers();
    const app = apiWith({ YOUTUBE_CLIENTS: 'TV,WEB_EMBEDDED', FALLBACK_INSTANCES: '' });
    await upstream.alias('mStaleOld01', 'tjz2u2DiveM');
    expect((await app.json('/v1/resolve?query=mStaleOld01')).status).toBe(200);
    // YouTube rolls out a new player and stops accepting the old one; this isolate read iframe_api minutes ago.
    await upstream.player('6e20d3a8', { retireOthers: true });
    await upstream.alias('mStaleNew01', 'tjz2u2DiveM');
    const resolved = await app.json('/v1/resolve?query=mStaleNew01');
    expect(resolved.status).toBe(200);
    await expectBytes(app, new URL(resolved.body.stream.url).pathname, resolved.body.stream.size);
    const asked = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === 'mStaleNew01');
    expect(asked.at(-1)!.sts).toBe(stsOf['./fixtures/youtube/player-js/6e20d3a8-base.json']);
    await upstream.player('c9168c90');
  });
});

describe('the other recordings through a ciphered client', () => {
  it('the live one resolves as HLS through TV, its playlist proxied; the unplayable one fails cleanly', { timeout: 120_000 }, async () => {
    await upstream.player('6e20d3a8');
    await forgetLoadedPlayers();
    const app = apiWith({ YOUTUBE_CLIENTS: 'TV', FALLBACK_INSTANCES: '' });
    await upstream.alias('mLiveTv0001', 'X4VbdwhkE10');
    const live = await app.json('/v1/resolve?query=mLiveTv0001&type=video');
    expect(live.status, live.text).toBe(200);
    expect(live.body).toMatchObject({ is_live: true, stream: { mime: 'application/vnd.apple.mpegurl' } });
    const master = await app.call(new URL(live.body.stream.url).pathname);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain('#EXTM3U');
    await upstream.alias('mGoneTv0001', 'it3OtbTxQk0');
    const gone = await app.json('/v1/resolve?query=mGoneTv0001');
    expect(gone.status).toBeGreaterThanOrEqual(400);
    expect(gone.status).toBeLessThan(600);
    expect(gone.status).not.toBe(500);
  });
});
