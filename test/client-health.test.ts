import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { api, apiJson, createKey, upstream, withKey } from './support/api';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { consumerEnv, runJobs, store, telegram } from './support/telegram-cache';
import { apiWith, poTokenProvider, TEST_PO_TOKEN_PROVIDER } from './support/api-with';

/** An 11-character id of the test's own, answered with a recording. */
async function testVideo(prefix: string, recordedId = 'M4gD1WSo5mA'): Promise<string> {
  const id = `${prefix}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
  await upstream.alias(id, recordedId);
  return id;
}

async function playerClients(videoId: string): Promise<string[]> {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId).map((call) => call.client!);
}

async function clientsHealth(): Promise<Record<string, any>> {
  const { status, body } = await apiJson('/health?deep=true');
  expect(status).toBe(200);
  return Object.fromEntries(body.youtube.clients.map((client: any) => [client.name, client]));
}

describe('client health', () => {
  beforeEach(async () => {
    await resetIsolateClientHealth();
  });

  it('sets aside a client that fails 5 times in a row: later resolves stop asking it, and /health?deep=true says so', async () => {
    for (let i = 0; i < 5; i++) {
      const videoId = await testVideo('hcBot');
      await upstream.scenario(videoId, 'bot_check', 'VISIONOS');
      const answer = await apiJson(`/v1/resolve?query=${videoId}`);
      expect(answer.status).toBe(200);
      expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5']);
    }
    const health = await clientsHealth();
    expect(health.VISIONOS).toMatchObject({ state: 'cooling_off', attempts_1h: 5, success_rate_1h: 0, last_success_at: null, consecutive_failures: 5 });
    expect(health.VISIONOS.last_failure.code).toBe('youtube.bot_check');
    expect(Date.parse(health.VISIONOS.cooling_off_until) - Date.now()).toBeGreaterThan(590_000);
    expect(health.TV).toMatchObject({ state: 'ok', attempts_1h: 5, success_rate_1h: 1, last_failure: null, consecutive_failures: 0 });
    expect(health.WEB_EMBEDDED).toMatchObject({ state: 'unused', attempts_1h: 0 });

    const next = await testVideo('hcNxt');
    const answer = await apiJson(`/v1/resolve?query=${next}`);
    expect(answer.status).toBe(200);
    expect(await playerClients(next)).toEqual(['TVHTML5']);
  });

  it('marks the client whose URL googlevideo refuses, and the re-resolve skips it; the stream stays byte-exact', async () => {
    // A recording no other test file streams: the 403 below is keyed by its content length.
    const videoId = await testVideo('hcGvf', 'kX3nB4PpJko');
    const { body } = await apiJson(`/v1/resolve?query=${videoId}`);
    const size = body.stream.size as number;
    await upstream.expireStream(size, 1);
    const response = await api(new URL(body.stream.url).pathname, { headers: { Range: 'bytes=0-4095' } });
    expect(response.status).toBe(206);
    const itag = body.stream.mime.includes('opus') ? 251 : 140;
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(streamBytes(seedOf(`${itag}:${size}`), 0, 4095)))).toBe(true);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5']);
    const health = await clientsHealth();
    expect(health.VISIONOS).toMatchObject({ state: 'failing', last_failure: { code: 'googlevideo.forbidden' } });
    expect(health.TV).toMatchObject({ state: 'ok' });
  });

  it('counts googlevideo refusing the consumer’s download too, and the consumer’s re-resolve skips that client', async () => {
    const token = await telegram.newBot();
    // T4XJQO3qol8's m4a (3,545,277 bytes): what the consumer uploads, and no other test file fetches.
    const videoId = await testVideo('hcCon', 'T4XJQO3qol8');
    await store.claimCacheEntry(videoId, 'audio', { now: new Date(), retryAfterMs: 600_000 });
    await upstream.expireStream(3_545_277, 1);
    const result = await runJobs([{ video_id: videoId, type: 'audio' }], consumerEnv(token));
    expect(result.explicitAcks).toEqual(['job-0']);
    expect((await store.getCacheEntry(videoId, 'audio'))?.status).toBe('ready');
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5']);
    const health = await clientsHealth();
    expect(health.VISIONOS).toMatchObject({ state: 'failing', last_failure: { code: 'googlevideo.forbidden' } });
  });

  it('asks every client again, in order, when all of them are cooling off', async () => {
    for (let i = 0; i < 5; i++) {
      const videoId = await testVideo('hcAll');
      await upstream.scenario(videoId, 'bot_check');
      expect((await apiJson(`/v1/resolve?query=${videoId}`)).status).toBe(200); // the fallback instances answer
    }
    const health = await clientsHealth();
    expect([health.VISIONOS.state, health.TV.state, health.WEB_EMBEDDED.state]).toEqual(['cooling_off', 'cooling_off', 'cooling_off']);
    const videoId = await testVideo('hcAgn');
    expect((await apiJson(`/v1/resolve?query=${videoId}`)).status).toBe(200);
    expect(await playerClients(videoId)).toEqual(['VISIONOS']);
    expect((await clientsHealth()).VISIONOS.state).toBe('ok');
  });

  it('keeps a client set aside when a URL it minted before the cool-off still plays (a cached answer, a byte range)', async () => {
    const early = await testVideo('hcOld');
    const first = await apiJson(`/v1/resolve?query=${early}`);
    expect(first.status).toBe(200);
    expect(await playerClients(early)).toEqual(['VISIONOS']);
    for (let i = 0; i < 5; i++) {
      const videoId = await testVideo('hcBad');
      await upstream.scenario(videoId, 'bot_check', 'VISIONOS');
      expect((await apiJson(`/v1/resolve?query=${videoId}`)).status).toBe(200);
    }
    expect((await clientsHealth()).VISIONOS.state).toBe('cooling_off');
    const again = await apiJson(`/v1/resolve?query=${early}`);
    expect(again.body.metadata_cache).toBe('hit');
    for (const range of ['bytes=0-1023', 'bytes=1024-4095']) {
      const response = await api(new URL(again.body.stream.url).pathname, { headers: { Range: range } });
      expect(response.status).toBe(206);
      await response.arrayBuffer();
    }
    const health = await clientsHealth();
    expect(health.VISIONOS).toMatchObject({ state: 'cooling_off', consecutive_failures: 5, last_failure: { code: 'youtube.bot_check' } });
    const next = await testVideo('hcNew');
    expect((await apiJson(`/v1/resolve?query=${next}`)).status).toBe(200);
    expect(await playerClients(next)).toEqual(['TVHTML5']);
  });

  it('makes no player call and records nothing for a metadata-cache hit', async () => {
    const videoId = await testVideo('hcHit');
    await apiJson(`/v1/resolve?query=${videoId}`);
    const before = (await clientsHealth()).VISIONOS.attempts_1h;
    const again = await apiJson(`/v1/resolve?query=${videoId}`);
    expect(again.body.metadata_cache).toBe('hit');
    expect((await clientsHealth()).VISIONOS.attempts_1h).toBe(before);
  });
});

describe('GET /health', () => {
  it('stays shallow and public: no per-client state', async () => {
    const { status, body } = await apiJson('/health', { headers: { 'X-API-Key': 'none' } });
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    const text = JSON.stringify(body);
    for (const word of ['state', 'attempts_1h', 'last_failure', 'store', 'relay']) expect(text).not.toContain(word);
  });

  it('answers ?deep=true only with an admin key', async () => {
    const anonymous = await apiJson('/health?deep=true', { headers: { 'X-API-Key': 'none' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('key.missing');
    const { key } = await createKey();
    const user = await apiJson('/health?deep=true', withKey(key));
    expect(user.status).toBe(403);
    expect(user.body.error.code).toBe('key.forbidden');
    const bad = await apiJson('/health?deep=yes');
    expect(bad.status).toBe(400);
  });

  it('reports the store, the queues, the consumer, the token provider and the relay', async () => {
    const { body } = await apiJson('/health?deep=true');
    expect(body.store).toMatchObject({ ok: true, backend: 'd1' });
    expect(body.queues).toEqual({ log_queue: { bound: true }, cache_queue: { bound: true } });
    expect(body.consumer).toMatchObject({ bound: true, reachable: true, caching: false });
    expect(body.youtube.po_token_provider).toEqual({ configured: false, reachable: false });
    expect(body.youtube.relay).toEqual({ configured: false, reachable: false });
    expect(body.youtube.clients.map((client: any) => client.name)).toEqual(['VISIONOS', 'TV', 'WEB_EMBEDDED', 'MWEB', 'WEB']);
  });

  it('says whether the configured PO token provider answers its ping', async () => {
    const app = apiWith({ PO_TOKEN_PROVIDER_URL: TEST_PO_TOKEN_PROVIDER });
    expect((await app.json('/health?deep=true')).body.youtube.po_token_provider).toEqual({ configured: true, reachable: true });
    await poTokenProvider.control('down', { down: true });
    try {
      expect((await app.json('/health?deep=true')).body.youtube.po_token_provider).toEqual({ configured: true, reachable: false });
    } finally {
      await poTokenProvider.control('down', { down: false });
    }
  });
});
