import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { forgetPoTokens } from '../workers/core/src/youtube/po-token-provider';
import { forgetUrlRefusals } from '../workers/core/src/youtube/refused-urls';
import { api, apiJson, upstream } from './support/api';
import { apiWith, TEST_PO_TOKEN_PROVIDER } from './support/api-with';
import { consumerEnv, runJobs, store, telegram } from './support/telegram-cache';
import { seedOf, streamBytes } from './servers/stream-bytes';

/**
 * The first play works whenever any client can: googlevideo refusing the URL a
 * resolve handed out sends the stream (and /file, the consumer's download) down
 * the rest of the chain, skipping each client whose URL was refused, until one
 * plays or every route is spent.
 */
const recordings = import.meta.glob<{ response: { body: any } }>('./fixtures/youtube/player/*.json', { eager: true, import: 'default' });
const itagOfSize = new Map<number, number>();
for (const recording of Object.values(recordings)) {
  for (const format of recording.response.body.streamingData?.adaptiveFormats ?? []) itagOfSize.set(Number(format.contentLength), format.itag);
}
const NO_TOKEN_CLIENTS = ['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER'];
// The first test of a file pays for the isolate's player script and evaluator.
const SLOW = { timeout: 120_000 };

async function testVideo(prefix: string, recordedId = 'tjz2u2DiveM'): Promise<string> {
  const id = `${prefix}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
  await upstream.alias(id, recordedId);
  return id;
}

async function playerClients(videoId: string): Promise<string[]> {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId).map((call) => call.client!);
}

function expectedBytes(size: number, end: number) {
  return Buffer.from(streamBytes(seedOf(`${itagOfSize.get(size)}:${size}`), 0, end));
}

beforeEach(async () => {
  await resetIsolateClientHealth();
  forgetPoTokens();
  forgetUrlRefusals();
});

describe('the first play walks the whole chain', () => {
  it('no-token clients’ URLs refused, MWEB holding a valid token: a bot’s first play works, byte-exact', SLOW, async () => {
    const videoId = await testVideo('fpMwb');
    for (const client of NO_TOKEN_CLIENTS) await upstream.refuseClient(videoId, client);
    const app = apiWith({ PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER, FALLBACK_INSTANCES: '' });
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const { size } = resolved.body.stream as { size: number };
    const end = Math.min(size, 128 * 1024) - 1;
    const response = await app.call(new URL(resolved.body.stream.url).pathname, { headers: { Range: `bytes=0-${end}` } });
    expect(response.status).toBe(206);
    expect(Buffer.from(await response.arrayBuffer()).equals(expectedBytes(size, end))).toBe(true);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER', 'MWEB']);
  });

  it('/file walks too: the download is byte-exact through the one client googlevideo serves', async () => {
    const videoId = await testVideo('fpFil');
    await upstream.refuseClient(videoId, 'VISIONOS');
    await upstream.refuseClient(videoId, 'TVHTML5');
    const app = apiWith({ FALLBACK_INSTANCES: '' });
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const { size } = resolved.body.stream as { size: number };
    const response = await app.call(new URL(resolved.body.stream.url).pathname.replace(/^\/stream\//, '/file/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Disposition')).toContain(videoId);
    expect(Buffer.from(await response.arrayBuffer()).equals(expectedBytes(size, size - 1))).toBe(true);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']);
  });

  it('every route spent: a clean 502 stream.upstream, after each client was asked', async () => {
    const videoId = await testVideo('fpAll');
    for (const client of NO_TOKEN_CLIENTS) await upstream.refuseClient(videoId, client);
    const app = apiWith({ FALLBACK_INSTANCES: '' });
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const response = await app.call(new URL(resolved.body.stream.url).pathname, { headers: { Range: 'bytes=0-99' } });
    const text = await response.text();
    expect(response.status).toBe(502);
    expect(JSON.parse(text).error.code).toBe('stream.upstream');
    expect(new Set(await playerClients(videoId))).toEqual(new Set(NO_TOKEN_CLIENTS));
  });

  it('a resolve checks the URL of a client refused recently with one byte, and answers with the next client', async () => {
    const app = apiWith({ FALLBACK_INSTANCES: '' });
    const first = await testVideo('fpPr1');
    await upstream.refuseClient(first, 'VISIONOS');
    const resolvedFirst = await app.json(`/v1/resolve?query=${first}`);
    expect((await app.call(new URL(resolvedFirst.body.stream.url).pathname, { headers: { Range: 'bytes=0-99' } })).status).toBe(206);

    const second = await testVideo('fpPr2', 'cJ9to6EmElQ');
    await upstream.refuseClient(second, 'VISIONOS');
    const resolved = await app.json(`/v1/resolve?query=${second}`);
    expect(resolved.status).toBe(200);
    expect(await playerClients(second)).toEqual(['VISIONOS', 'TVHTML5']);
    const probes = (await upstream.calls()).filter((call) => call.path === '/videoplayback' && call.range === '0-0' && call.refused);
    expect(probes.length).toBeGreaterThan(0);
    const before = (await upstream.calls()).length;
    expect((await app.call(new URL(resolved.body.stream.url).pathname, { headers: { Range: 'bytes=0-99' } })).status).toBe(206);
    // The link handed out plays at once: no refusal, no re-resolve.
    expect((await upstream.calls()).slice(before).filter((call) => call.refused)).toEqual([]);
    expect(await playerClients(second)).toEqual(['VISIONOS', 'TVHTML5']);
  });

  it('the consumer’s download walks the chain too, and the track is cached', async () => {
    const token = await telegram.newBot();
    // T4XJQO3qol8's m4a: what the consumer uploads.
    const videoId = await testVideo('fpCon', 'T4XJQO3qol8');
    await upstream.refuseClient(videoId, 'VISIONOS');
    await upstream.refuseClient(videoId, 'TVHTML5');
    await store.claimCacheEntry(videoId, 'audio', { now: new Date(), retryAfterMs: 600_000 });
    const result = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token, { FALLBACK_INSTANCES: '' }));
    expect(result.explicitAcks).toEqual(['job-0']);
    expect((await store.getCacheEntry(videoId, 'audio'))?.status).toBe('ready');
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']);
  });
});

/** The test HLS stream (googlevideo-hls.ts): the 720p variant (itag 95) is two 188,000-byte segments. */
function joinedSegments() {
  const segment = (sq: number) => Buffer.from(streamBytes(seedOf(`95:188000:sq${sq}`), 0, 187_999));
  return Buffer.concat([segment(1), segment(2)]);
}

async function hlsCalls(videoId: string) {
  return (await upstream.calls()).filter((call) => (call.path.startsWith('/api/manifest/') || call.path.startsWith('/videoplayback/id/hls/')) && call.path.includes(`/${videoId}.`));
}

describe('the HLS join walks the chain at every step', () => {
  it('a refused first segment, then a refused variant playlist: the joined file comes whole from the third client', SLOW, async () => {
    const videoId = await testVideo('fpHls');
    await upstream.refuseClientHls(videoId, 'VISIONOS', 'segment');
    await upstream.refuseClientHls(videoId, 'TVHTML5', 'variant');
    const app = apiWith({ FALLBACK_INSTANCES: '' });
    const resolved = await app.json(`/v1/resolve?query=${videoId}&type=video`);
    expect(resolved.status).toBe(200);
    expect(resolved.body.stream.delivery).toBe('hls');
    const response = await app.call(new URL(resolved.body.stream.url).pathname.replace(/^\/stream\//, '/file/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('video/mp2t');
    expect(Buffer.from(await response.arrayBuffer()).equals(joinedSegments())).toBe(true);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']);
    const refused = (await hlsCalls(videoId)).filter((call) => call.refused);
    expect(refused.some((call) => call.path.startsWith('/videoplayback/id/hls/') && call.path.includes('/xt_client/VISIONOS/'))).toBe(true);
    expect(refused.some((call) => call.path.startsWith('/api/manifest/hls_playlist/') && call.path.includes('/xt_client/TVHTML5/'))).toBe(true);
  });

  it('a segment refused after bytes went out ends the file cut, never spliced with another client’s segments', async () => {
    const videoId = await testVideo('fpCut');
    await upstream.refuseClientHls(videoId, 'VISIONOS', 'later-segment');
    const resolved = await apiJson(`/v1/resolve?query=${videoId}&type=video`);
    const response = await api(new URL(resolved.body.stream.url).pathname.replace(/^\/stream\//, '/file/'));
    expect(response.status).toBe(200);
    // The body errors: a player sees a cut transfer, not a short file that looks whole.
    await expect(response.arrayBuffer()).rejects.toThrow();
    const segments = (await hlsCalls(videoId)).filter((call) => call.path.startsWith('/videoplayback/id/hls/'));
    expect(segments.every((call) => call.path.includes('/xt_client/VISIONOS/'))).toBe(true);
    expect(await playerClients(videoId)).toEqual(['VISIONOS']);
    // The refused segment still counts against the client that minted it.
    const { body } = await apiJson('/health?deep=true');
    const visionos = body.youtube.clients.find((client: { name: string }) => client.name === 'VISIONOS');
    expect(visionos.last_failure).toMatchObject({ code: 'googlevideo.forbidden' });
  });

  it('the consumer’s HLS upload walks too: a refused variant playlist, and the joined file is cached whole', async () => {
    const token = await telegram.newBot();
    const videoId = await testVideo('fpChl');
    await upstream.refuseClientHls(videoId, 'VISIONOS', 'variant');
    await store.claimCacheEntry(videoId, 'video', { now: new Date(), retryAfterMs: 600_000 });
    const result = await runJobs([{ video_id: videoId, type: 'video' }], consumerEnv(token, { FALLBACK_INSTANCES: '' }));
    expect(result.explicitAcks).toEqual(['job-0']);
    const entry = await store.getCacheEntry(videoId, 'video');
    expect(entry).toMatchObject({ status: 'ready', mime: 'video/mp2t', size: 2 * 188_000 });
    expect(Buffer.from(await telegram.fileBytes(entry!.file_id!)).equals(joinedSegments())).toBe(true);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5']);
  });

  it('the consumer’s upload cut by a refused later segment starts again, whole, on the next client', async () => {
    const token = await telegram.newBot();
    const videoId = await testVideo('fpCcu');
    await upstream.refuseClientHls(videoId, 'VISIONOS', 'later-segment');
    await store.claimCacheEntry(videoId, 'video', { now: new Date(), retryAfterMs: 600_000 });
    const result = await runJobs([{ video_id: videoId, type: 'video' }], consumerEnv(token, { FALLBACK_INSTANCES: '' }));
    expect(result.explicitAcks).toEqual(['job-0']);
    expect(result.retryMessages).toEqual([]);
    const entry = await store.getCacheEntry(videoId, 'video');
    expect(entry).toMatchObject({ status: 'ready', size: 2 * 188_000 });
    expect(Buffer.from(await telegram.fileBytes(entry!.file_id!)).equals(joinedSegments())).toBe(true);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5']);
    expect((await telegram.calls(token)).filter((call) => call.method === 'sendDocument' && call.status === 200)).toHaveLength(1);
  });
});
