import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { CLIENT_PROFILES } from '../workers/core/src/youtube/clients';
import { forgetPoTokens } from '../workers/core/src/youtube/po-token-provider';
import { forgetUrlRefusals } from '../workers/core/src/youtube/refused-urls';
import { api, apiJson, upstream } from './support/api';
import { apiWith, poTokenProvider, TEST_PO_TOKEN_PROVIDER } from './support/api-with';
import { seedOf, streamBytes } from './servers/stream-bytes';
import vectors from './fixtures/youtube/player-js/vectors.json';

/**
 * PO tokens bound as YouTube binds them (player token: the video; GVS token: the
 * session of the player request), and every googlevideo URL fetched as the client
 * that minted it. The test upstream refuses a `pot` minted for another binding and
 * a URL fetched with another User-Agent than its player request's.
 */
const recordings = import.meta.glob<{ response: { body: any } }>('./fixtures/youtube/player/*.json', { eager: true, import: 'default' });
const itagOfSize = new Map<number, number>();
for (const recording of Object.values(recordings)) {
  for (const format of recording.response.body.streamingData?.adaptiveFormats ?? []) itagOfSize.set(Number(format.contentLength), format.itag);
}
const NO_TOKEN_CLIENTS = ['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER'];
const PLAYER = 'c9168c90';
const PLAYER_STS = 20472;
const solved = (kind: string, input: string) => vectors.vectors.find((v) => v.player_id === PLAYER && v.kind === kind && v.input === input)?.expected;
// The first test of a file pays for the isolate's player script and evaluator.
const SLOW = { timeout: 120_000 };

async function testVideo(prefix: string, recordedId = 'tjz2u2DiveM'): Promise<string> {
  const id = `${prefix}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
  await upstream.alias(id, recordedId);
  return id;
}

async function playerCalls(videoId: string) {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
}

/** Plays the first 64 KiB of a resolved stream and checks every byte. */
async function expectPlays(call: (path: string, init?: RequestInit) => Promise<Response>, stream: { url: string; size: number }) {
  const end = Math.min(stream.size, 64 * 1024) - 1;
  const response = await call(new URL(stream.url).pathname, { headers: { Range: `bytes=0-${end}` } });
  expect(response.status).toBe(206);
  const expected = streamBytes(seedOf(`${itagOfSize.get(stream.size)}:${stream.size}`), 0, end);
  expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(expected))).toBe(true);
}

beforeEach(async () => {
  await resetIsolateClientHealth();
  forgetPoTokens();
  forgetUrlRefusals();
});

describe('PO tokens bound as YouTube binds them', () => {
  it('WEB: the player token is the video’s, the GVS token on its URLs the visitor data’s its request sent, and it plays', SLOW, async () => {
    const videoId = await testVideo('pbWeb');
    const app = apiWith({ PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER, YOUTUBE_CLIENTS: 'WEB', FALLBACK_INSTANCES: '' });
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const [web] = await playerCalls(videoId);
    expect(web).toMatchObject({ client: 'WEB', poToken: 'valid' });
    expect(web!.visitorData).toBeTruthy();
    const asked = (await poTokenProvider.calls()).map((call) => call.contentBinding);
    expect(asked).toEqual(expect.arrayContaining([videoId, web!.visitorData]));
    const before = (await upstream.calls()).length;
    await expectPlays(app.call, resolved.body.stream);
    const media = (await upstream.calls()).slice(before).filter((call) => call.path === '/videoplayback');
    expect(media.length).toBeGreaterThan(0);
    expect(media.every((call) => call.refused === undefined)).toBe(true);
  });

  it('MWEB: signed in, the GVS token is the account’s data sync id’s, not the visitor data’s', async () => {
    const videoId = await testVideo('pbSgn');
    for (const client of NO_TOKEN_CLIENTS) await upstream.scenario(videoId, 'bot_check', client);
    const app = apiWith({
      PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER,
      YOUTUBE_CLIENTS: 'MWEB',
      FALLBACK_INSTANCES: '',
      YOUTUBE_COOKIES: 'SAPISID=abcdefghijklmnop/QRSTUVWXYZ; SID=test-session-cookie-value',
    });
    const askedBefore = (await poTokenProvider.calls()).length;
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const [mweb] = await playerCalls(videoId);
    expect(mweb).toMatchObject({ client: 'MWEB', signedIn: true });
    const asked = (await poTokenProvider.calls()).slice(askedBefore).map((call) => call.contentBinding!);
    expect(asked.some((binding) => binding.endsWith('||'))).toBe(true);
    expect(asked).not.toContain(mweb!.visitorData);
    await expectPlays(app.call, resolved.body.stream);
  });

  it('one GVS token serves every video of the session until it expires: a second video asks the provider nothing', async () => {
    const app = apiWith({ PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER, YOUTUBE_CLIENTS: 'MWEB', FALLBACK_INSTANCES: '' });
    const first = await testVideo('pbOne');
    expect((await app.json(`/v1/resolve?query=${first}`)).status).toBe(200);
    const asked = (await poTokenProvider.calls()).length;
    const second = await testVideo('pbTwo', 'cJ9to6EmElQ');
    const resolved = await app.json(`/v1/resolve?query=${second}`);
    expect(resolved.status).toBe(200);
    expect((await poTokenProvider.calls()).length).toBe(asked);
    await expectPlays(app.call, resolved.body.stream);
  });

  it('the test googlevideo refuses a pot minted for the video on a URL minted for a session', async () => {
    const videoId = await testVideo('pbStr');
    const base = (env as unknown as { TEST_UPSTREAM: string }).TEST_UPSTREAM;
    const videoToken = await poTokenProvider.tokenFor(videoId);
    const answer: any = await (
      await fetch(`${base}/youtubei/v1/player`, {
        method: 'POST',
        headers: { 'X-Forwarded-Host': 'www.youtube.com', 'X-Goog-Visitor-Id': 'CgtTZXNzaW9uQQ%3D%3D' },
        body: JSON.stringify({
          videoId,
          context: { client: { clientName: 'WEB', visitorData: 'CgtTZXNzaW9uQQ%3D%3D' } },
          playbackContext: { contentPlaybackContext: { signatureTimestamp: PLAYER_STS } },
          serviceIntegrityDimensions: { poToken: videoToken },
        }),
      })
    ).json();
    expect(answer.responseContext.visitorData).toBe('CgtTZXNzaW9uQQ%3D%3D');
    const cipher = new URLSearchParams(answer.streamingData.adaptiveFormats[0].signatureCipher);
    const url = new URL(cipher.get('url')!);
    expect(url.searchParams.get('xt_bind')).toBe('CgtTZXNzaW9uQQ%3D%3D');
    url.searchParams.set('sig', solved('sig', cipher.get('s')!)!);
    url.searchParams.set('n', solved('n', url.searchParams.get('n')!)!);
    const fetchWith = async (pot: string) => {
      url.searchParams.set('pot', pot);
      return fetch(`${base}${url.pathname}${url.search}`, { headers: { 'X-Forwarded-Host': url.host, Range: 'bytes=0-9' } });
    };
    const refused = await fetchWith(videoToken);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/another binding/);
    expect((await fetchWith(await poTokenProvider.tokenFor('CgtTZXNzaW9uQQ%3D%3D'))).status).toBe(206);
  });
});

describe('each client’s URLs are fetched as that client', () => {
  it.each([
    ['VISIONOS', []],
    ['TVHTML5', ['VISIONOS']],
  ])('%s: the stream fetches googlevideo with the player request’s User-Agent, and plays at once', async (client, botChecked) => {
    const videoId = await testVideo('uaStr');
    for (const dead of botChecked) await upstream.scenario(videoId, 'bot_check', dead);
    const resolved = await apiJson(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const before = (await upstream.calls()).length;
    await expectPlays(api, resolved.body.stream);
    const refused = (await upstream.calls()).slice(before).filter((call) => call.refused);
    expect(refused).toEqual([]);
    // Played through the client that resolved it: no re-resolve was needed.
    expect((await playerCalls(videoId)).map((call) => call.client)).toEqual([...botChecked, client]);
  });

  it('a URL is fetched with the User-Agent its player request used, even after the client table changed', async () => {
    const videoId = await testVideo('uaOvr');
    const resolved = await apiJson(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const [visionos] = await playerCalls(videoId);
    expect(visionos!.userAgent).toBe(CLIENT_PROFILES.VISIONOS.userAgent);
    const original = CLIENT_PROFILES.VISIONOS.userAgent;
    // As an operator's override of the UA would, between the resolve and the play (the metadata cache serves the URL).
    CLIENT_PROFILES.VISIONOS.userAgent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 15_8) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/27.0 Safari/605.1.15';
    try {
      const before = (await upstream.calls()).length;
      await expectPlays(api, resolved.body.stream);
      expect((await upstream.calls()).slice(before).filter((call) => call.refused)).toEqual([]);
    } finally {
      CLIENT_PROFILES.VISIONOS.userAgent = original;
    }
  });

  it('HLS: the manifest, the variant playlists and the segments are all fetched as the client', async () => {
    const { body } = await apiJson('/v1/resolve?query=X4VbdwhkE10&type=video');
    const before = (await upstream.calls()).length;
    const master = await api(new URL(body.stream.url).pathname);
    expect(master.status).toBe(200);
    const variant = (await master.text()).split('\n').find((line) => line && !line.startsWith('#'))!;
    const media = await api(new URL(variant).pathname);
    expect(media.status).toBe(200);
    const segments = (await media.text()).split('\n').filter((line) => line && !line.startsWith('#'));
    for (const segment of segments) expect((await api(new URL(segment).pathname)).status).toBe(200);
    const fetched = (await upstream.calls()).slice(before).filter((call) => call.path.startsWith('/api/manifest/') || call.path.startsWith('/videoplayback/id/hls'));
    expect(fetched.length).toBeGreaterThanOrEqual(4);
    expect(fetched.filter((call) => call.refused)).toEqual([]);
  });
});
