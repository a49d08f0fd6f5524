import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { forgetPoTokens } from '../workers/core/src/youtube/po-token-provider';
import vectors from './fixtures/youtube/player-js/vectors.json';
import { api, apiJson, forgetVideo, upstream } from './support/api';
import { apiWith, poTokenProvider, TEST_PO_TOKEN_PROVIDER } from './support/api-with';
import { seedOf, streamBytes } from './servers/stream-bytes';

/**
 * The client chain against the test upstream's late-2026 YouTube
 * (test/servers/client-answers.ts): whichever clients are dead, a resolve
 * answers and its stream is byte-exact through the client that is left.
 */
const PLAYER = 'c9168c90';
const PLAYER_STS = 20472;
const sigOf = (input: string) => vectors.vectors.find((v) => v.player_id === PLAYER && v.kind === 'sig' && v.input === input)?.expected;
const nOf = (input: string) => vectors.vectors.find((v) => v.player_id === PLAYER && v.kind === 'n' && v.input === input)?.expected;
const playerVectors = vectors.vectors.filter((v) => v.player_id === PLAYER);
// SONG's opus is the one audio stream no other test file counts the calls of or makes googlevideo
// refuse (expireStream is keyed by content length); OTHER_SONG is only resolved here, never fetched.
const SONG = 'T4XJQO3qol8';
const OTHER_SONG = 'An8vtD1FDqs';
const recordings = import.meta.glob<{ response: { body: any } }>('./fixtures/youtube/player/*.json', { eager: true, import: 'default' });
const itagOfSize = new Map<number, number>();
for (const recording of Object.values(recordings)) {
  for (const format of recording.response.body.streamingData?.adaptiveFormats ?? []) itagOfSize.set(Number(format.contentLength), format.itag);
}

async function playerCalls(videoId: string) {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
}

/** Streams the resolved audio whole and checks every byte. */
async function expectByteExactStream(streamUrl: string, size: number, _mime: string, call: (path: string) => Promise<Response> = api) {
  const response = await call(new URL(streamUrl).pathname);
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(bytes.length).toBe(size);
  const itag = itagOfSize.get(size);
  expect(Buffer.from(bytes).equals(Buffer.from(streamBytes(seedOf(`${itag}:${size}`), 0, size - 1)))).toBe(true);
}

// Client health is shared by the isolate: a client another test bot-checked five times is set aside.
beforeEach(async () => {
  await resetIsolateClientHealth();
});

describe('the default client chain', () => {
  // The file's first ciphered resolve: it waits for the player's one extraction (seconds of CPU, more on a loaded machine).
  it('resolves through TV when VISIONOS is bot-checked, deciphering sig and n, and streams byte-exact', { timeout: 120_000 }, async () => {
    await upstream.alias('chainTv0001', SONG);
    await upstream.scenario('chainTv0001', 'bot_check', 'VISIONOS');
    const resolved = await apiJson('/v1/resolve?query=chainTv0001');
    expect(resolved.status).toBe(200);
    const calls = await playerCalls('chainTv0001');
    expect(calls.map((call) => call.client)).toEqual(['VISIONOS', 'TVHTML5']);
    expect(calls[0]!.sts).toBeUndefined();
    expect(calls[1]!.sts).toBe(PLAYER_STS);
    const before = (await upstream.calls()).length;
    await expectByteExactStream(resolved.body.stream.url, resolved.body.stream.size, resolved.body.stream.mime);
    const media = (await upstream.calls()).slice(before).filter((call) => call.path === '/videoplayback' && call.clen === resolved.body.stream.size);
    expect(media.length).toBeGreaterThan(0);
    for (const call of media) {
      expect(call.refused).toBeUndefined();
      expect(call.sig).toBe(sigOf(playerVectors.find((v) => v.kind === 'sig')!.input));
      expect(playerVectors.filter((v) => v.kind === 'n').map((v) => nOf(v.input))).toContain(call.n);
    }
  });

  it('moves on from a SABR-only VISIONOS answer to TV', async () => {
    await upstream.alias('chainSabr01', SONG);
    await upstream.scenario('chainSabr01', 'sabr_only', 'VISIONOS');
    const resolved = await apiJson('/v1/resolve?query=chainSabr01');
    expect(resolved.status).toBe(200);
    expect((await playerCalls('chainSabr01')).map((call) => call.client)).toEqual(['VISIONOS', 'TVHTML5']);
    await expectByteExactStream(resolved.body.stream.url, resolved.body.stream.size, resolved.body.stream.mime);
  });

  it('resolves through WEB_EMBEDDED when VISIONOS and TV are both refused, and streams byte-exact', async () => {
    await upstream.alias('chainEmb001', SONG);
    await upstream.scenario('chainEmb001', 'bot_check', 'VISIONOS');
    await upstream.scenario('chainEmb001', 'sabr_only', 'TVHTML5');
    const resolved = await apiJson('/v1/resolve?query=chainEmb001');
    expect(resolved.status).toBe(200);
    const calls = await playerCalls('chainEmb001');
    expect(calls.map((call) => call.client)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']);
    expect(calls[2]!.sts).toBe(PLAYER_STS);
    await expectByteExactStream(resolved.body.stream.url, resolved.body.stream.size, resolved.body.stream.mime);
  });

  it('skips MWEB and WEB without a PO token provider: every no-token client dead means the fallback instances', async () => {
    await upstream.alias('chainNoPot1', OTHER_SONG);
    await upstream.scenario('chainNoPot1', 'bot_check', 'VISIONOS');
    await upstream.scenario('chainNoPot1', 'bot_check', 'TVHTML5');
    await upstream.scenario('chainNoPot1', 'bot_check', 'WEB_EMBEDDED_PLAYER');
    const resolved = await apiJson('/v1/resolve?query=chainNoPot1');
    expect(resolved.status).toBe(200);
    expect((await playerCalls('chainNoPot1')).map((call) => call.client)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']);
    expect((await upstream.calls()).some((call) => call.host === 'invidious.test' && call.videoId === 'chainNoPot1')).toBe(true);
  });
});

describe('PO token clients (PO_TOKEN_PROVIDER_URL set)', () => {
  const withProvider = () => apiWith({ PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER });

  it('resolves through MWEB with the session’s GVS token in the URLs (no player token: MWEB wants none), never in the answer', async () => {
    forgetPoTokens();
    await upstream.alias('chainMweb01', SONG);
    for (const client of ['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']) await upstream.scenario('chainMweb01', 'bot_check', client);
    const app = withProvider();
    const resolved = await app.json('/v1/resolve?query=chainMweb01');
    expect(resolved.status).toBe(200);
    const calls = await playerCalls('chainMweb01');
    expect(calls.map((call) => call.client)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER', 'MWEB']);
    expect(calls[3]).toMatchObject({ sts: PLAYER_STS });
    expect(calls[3]!.poToken).toBeUndefined();
    const visitorData = calls[3]!.visitorData!;
    expect(visitorData).toBeTruthy();
    const asked = (await poTokenProvider.calls()).map((call) => call.contentBinding);
    expect(asked).toContain(visitorData);
    expect(asked).not.toContain('chainMweb01');
    expect(resolved.text).not.toContain(await poTokenProvider.tokenFor(visitorData));
    await expectByteExactStream(resolved.body.stream.url, resolved.body.stream.size, resolved.body.stream.mime, app.call);
  });

  it('keeps a token until it expires: a fresh resolve asks the provider no more', async () => {
    forgetPoTokens();
    await upstream.alias('chainPotC01', OTHER_SONG);
    for (const client of ['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']) await upstream.scenario('chainPotC01', 'bot_check', client);
    const app = withProvider();
    const askedBefore = (await poTokenProvider.calls()).length;
    expect((await app.json('/v1/resolve?query=chainPotC01')).status).toBe(200);
    await forgetVideo('chainPotC01');
    expect((await app.json('/v1/resolve?query=chainPotC01')).status).toBe(200);
    const mweb = (await playerCalls('chainPotC01')).filter((call) => call.client === 'MWEB');
    expect(mweb).toHaveLength(2);
    expect(mweb[1]!.visitorData).toBe(mweb[0]!.visitorData);
    expect((await poTokenProvider.calls()).slice(askedBefore).filter((call) => call.contentBinding === mweb[0]!.visitorData)).toHaveLength(1);
  });

  it('skips MWEB and WEB when the provider is down, and answers from what is left', async () => {
    forgetPoTokens();
    await upstream.alias('chainPotD01', OTHER_SONG);
    for (const client of ['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']) await upstream.scenario('chainPotD01', 'bot_check', client);
    await poTokenProvider.control('down', { down: true });
    try {
      const resolved = await withProvider().json('/v1/resolve?query=chainPotD01');
      expect(resolved.status).toBe(200);
      expect((await playerCalls('chainPotD01')).map((call) => call.client)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']);
      expect((await upstream.calls()).some((call) => call.host === 'invidious.test' && call.videoId === 'chainPotD01')).toBe(true);
    } finally {
      await poTokenProvider.control('down', { down: false });
    }
  });
});

describe('clients outside the default chain', () => {
  it.each([
    ['ANDROID_VR', 'chainVr0001', /ANDROID_VR formats are refused/],
    ['IOS', 'chainIos001', /IOS formats need a GVS PO token/],
  ])('are still selectable: %s answers, but googlevideo refuses its URLs', async (client, videoId, reason) => {
    await upstream.alias(videoId, SONG);
    // Without fallback instances: the walk (first-play.test.ts) has no other route to take.
    const app = apiWith({ YOUTUBE_CLIENTS: client, FALLBACK_INSTANCES: '' });
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const before = (await upstream.calls()).length;
    const response = await app.call(new URL(resolved.body.stream.url).pathname, { headers: { Range: 'bytes=0-99' } });
    expect(response.status).toBeGreaterThanOrEqual(500);
    const refused = (await upstream.calls()).slice(before).filter((call) => call.path === '/videoplayback' && call.refused);
    expect(refused.some((call) => reason.test(call.refused!))).toBe(true);
  });
});

describe('the test YouTube is as strict as the real one', () => {
  const base = (env as unknown as { TEST_UPSTREAM: string }).TEST_UPSTREAM;
  const playerAs = async (clientName: string, signatureTimestamp?: number) => {
    const response = await fetch(`${base}/youtubei/v1/player`, {
      method: 'POST',
      headers: { 'X-Forwarded-Host': 'www.youtube.com' },
      body: JSON.stringify({ videoId: 'strict00001', context: { client: { clientName, clientVersion: '5.20260707' } }, playbackContext: { contentPlaybackContext: { signatureTimestamp } } }),
    });
    return (await response.json()) as any;
  };
  const fetchMedia = (url: URL) => fetch(`${base}${url.pathname}${url.search}`, { headers: { 'X-Forwarded-Host': url.host, Range: 'bytes=0-9' } });

  it('refuses a TV URL whose sig or n were not deciphered, and every URL of a player request without the player’s sts', async () => {
    await upstream.alias('strict00001', SONG);
    const right = await playerAs('TVHTML5', PLAYER_STS);
    const cipher = new URLSearchParams(right.streamingData.adaptiveFormats[0].signatureCipher);
    const raw = new URL(cipher.get('url')!);
    raw.searchParams.set('sig', cipher.get('s')!);
    expect((await fetchMedia(raw)).status).toBe(403);
    const signedOnly = new URL(raw);
    signedOnly.searchParams.set('sig', sigOf(cipher.get('s')!)!);
    expect(await (await fetchMedia(signedOnly)).text()).toBe('bad n');
    signedOnly.searchParams.set('n', nOf(raw.searchParams.get('n')!)!);
    expect((await fetchMedia(signedOnly)).status).toBe(206);

    const wrong = await playerAs('TVHTML5', PLAYER_STS - 1);
    const wrongUrl = new URL(new URLSearchParams(wrong.streamingData.adaptiveFormats[0].signatureCipher).get('url')!);
    wrongUrl.searchParams.set('sig', sigOf(cipher.get('s')!)!);
    wrongUrl.searchParams.set('n', nOf(wrongUrl.searchParams.get('n')!)!);
    expect(await (await fetchMedia(wrongUrl)).text()).toBe('signed for another signatureTimestamp');
  });

  it('answers WEB without a PO token with SABR only', async () => {
    await upstream.alias('strict00001', SONG);
    const web = await playerAs('WEB');
    expect(web.streamingData.serverAbrStreamingUrl).toBeTruthy();
    expect(web.streamingData.adaptiveFormats.every((format: any) => !format.url && !format.signatureCipher)).toBe(true);
  });
});
