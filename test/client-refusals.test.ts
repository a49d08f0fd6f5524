import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { forgetPoTokens } from '../workers/core/src/youtube/po-token-provider';
import { upstream } from './support/api';
import { apiWith } from './support/api-with';
import { seedOf, streamBytes } from './servers/stream-bytes';

/**
 * A client whose player answers look fine but whose URLs googlevideo refuses (ANDROID_VR since
 * August 2026, IOS without iOS's own token): each stream still plays byte-exact through the next
 * client, and after CLIENT_FAILURE_THRESHOLD refusals in a row the client is cooling off, is no
 * longer asked, and /health?deep=true says so.
 */
const recordings = import.meta.glob<{ response: { body: any } }>('./fixtures/youtube/player/*.json', { eager: true, import: 'default' });
const itagOfSize = new Map<number, number>();
for (const recording of Object.values(recordings)) {
  for (const format of recording.response.body.streamingData?.adaptiveFormats ?? []) itagOfSize.set(Number(format.contentLength), format.itag);
}
// Recordings other than the ones client-chain.test.ts counts the calls of.
const VIDEOS = ['tjz2u2DiveM', 'cJ9to6EmElQ', 'An8vtD1FDqs', 'M4gD1WSo5mA', 'kX3nB4PpJko', 'tjz2u2DiveM'];

beforeEach(async () => {
  await resetIsolateClientHealth();
});

async function playerClients(videoId: string): Promise<string[]> {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId).map((call) => call.client!);
}

describe.each([
  ['ANDROID_VR', 'ANDROID_VR,TV', 'TVHTML5', 'rv'],
  ['IOS', 'IOS,WEB_EMBEDDED', 'WEB_EMBEDDED_PLAYER', 'ri'],
])('%s refused by googlevideo', (dead, clients, next, prefix) => {
  it(`streams byte-exact through the next client, and ${dead} is cooling off after 5 refusals`, { timeout: 120_000 }, async () => {
    const app = apiWith({ YOUTUBE_CLIENTS: clients, FALLBACK_INSTANCES: '' });
    for (const [index, recorded] of VIDEOS.slice(0, 5).entries()) {
      const videoId = `${prefix}${index}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
      await upstream.alias(videoId, recorded);
      const resolved = await app.json(`/v1/resolve?query=${videoId}`);
      expect(resolved.status).toBe(200);
      const size = resolved.body.stream.size as number;
      const end = Math.min(size, 256 * 1024) - 1;
      const response = await app.call(new URL(resolved.body.stream.url).pathname, { headers: { Range: `bytes=0-${end}` } });
      expect(response.status, recorded).toBe(206);
      expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(streamBytes(seedOf(`${itagOfSize.get(size)}:${size}`), 0, end)))).toBe(true);
      expect(await playerClients(videoId)).toEqual([dead, next]);
    }
    const health = await app.json('/health?deep=true');
    const view = health.body.youtube.clients.find((client: any) => client.name === dead);
    expect(view).toMatchObject({ state: 'cooling_off', last_success_at: null, success_rate_1h: 0, last_failure: { code: 'googlevideo.forbidden' } });
    const later = `${prefix}L${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
    await upstream.alias(later, VIDEOS[5]!);
    expect((await app.json(`/v1/resolve?query=${later}`)).status).toBe(200);
    expect(await playerClients(later)).toEqual([next]);
  });
});

describe('a PO token provider that fails', () => {
  it('is asked once per resolve, not once per token client: a resolve waits on it at most one timeout', async () => {
    const { poTokenProvider, TEST_PO_TOKEN_PROVIDER } = await import('./support/api-with');
    forgetPoTokens();
    const app = apiWith({ PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER, YOUTUBE_CLIENTS: 'MWEB,WEB,TV', FALLBACK_INSTANCES: '' });
    const videoId = `pd${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
    await upstream.alias(videoId, 'tjz2u2DiveM');
    await poTokenProvider.control('down', { down: true });
    try {
      const resolved = await app.json(`/v1/resolve?query=${videoId}`);
      expect(resolved.status).toBe(200);
      expect(await playerClients(videoId)).toEqual(['TVHTML5']);
      // MWEB asks for the session's GVS token (bound to its visitor data), fails, and WEB asks nothing.
      const [tv] = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
      const bindings = new Set([videoId, tv!.visitorData]);
      expect((await poTokenProvider.calls()).filter((call) => bindings.has(call.contentBinding))).toHaveLength(1);
    } finally {
      await poTokenProvider.control('down', { down: false });
    }
  });
});

describe('CLIENT_FAILURE_THRESHOLD and CLIENT_COOL_OFF_SECONDS', () => {
  it('set how many failures in a row set a client aside, and for how long', async () => {
    const app = apiWith({ CLIENT_FAILURE_THRESHOLD: '2', CLIENT_COOL_OFF_SECONDS: '1200' });
    for (let i = 0; i < 2; i++) {
      const videoId = `th${i}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
      await upstream.alias(videoId, 'tjz2u2DiveM');
      await upstream.scenario(videoId, 'bot_check', 'VISIONOS');
      expect((await app.json(`/v1/resolve?query=${videoId}`)).status).toBe(200);
    }
    const health = await app.json('/health?deep=true');
    const visionos = health.body.youtube.clients.find((client: any) => client.name === 'VISIONOS');
    expect(visionos).toMatchObject({ state: 'cooling_off', attempts_1h: 2, last_failure: { code: 'youtube.bot_check' } });
    const left = Date.parse(visionos.cooling_off_until) - Date.now();
    expect(left).toBeGreaterThan(1_100_000);
    expect(left).toBeLessThanOrEqual(1_200_000);
  });
});

describe('WEB with a PO token provider', () => {
  it('resolves through WEB (a token in the request, pot= in the URLs) and streams byte-exact', async () => {
    const { TEST_PO_TOKEN_PROVIDER } = await import('./support/api-with');
    const app = apiWith({ PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER, YOUTUBE_CLIENTS: 'WEB', FALLBACK_INSTANCES: '' });
    const videoId = `wb${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
    await upstream.alias(videoId, 'cJ9to6EmElQ');
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status, resolved.text).toBe(200);
    const asked = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
    expect(asked.map((call) => [call.client, call.poToken])).toEqual([['WEB', 'valid']]);
    const size = resolved.body.stream.size as number;
    const response = await app.call(new URL(resolved.body.stream.url).pathname);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(streamBytes(seedOf(`${itagOfSize.get(size)}:${size}`), 0, size - 1)))).toBe(true);
    expect(resolved.text).not.toMatch(/pot=/);
  });
});
