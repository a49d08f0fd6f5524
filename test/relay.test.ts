import { connect } from 'cloudflare:sockets';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { TEST_ADMIN_KEY, upstream } from './support/api';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { consumerEnv, runJobs, store, telegram, testVideoId } from './support/telegram-cache';

/**
 * The egress relay (relay/, `npm run relay`) in front of the YouTube stand-in:
 * the Workers' YouTube and googlevideo requests go to it (UPSTREAM_ORIGINS)
 * with the secret, and it forwards them, and nothing else.
 */
const bindings = env as unknown as Record<string, unknown> & { RELAY_URL: string; RELAY_SECRET_FOR_TESTS: string; UPSTREAM_ORIGINS: string };
const RELAY = bindings.RELAY_URL;
const SECRET = bindings.RELAY_SECRET_FOR_TESTS;
const VIA = '1.1 yt-music-relay';

/** Every YouTube host to the relay; the rest (Telegram, the fallback instances) as in the other tests. */
function relayedOrigins(): string {
  const origins = JSON.parse(bindings.UPSTREAM_ORIGINS) as Record<string, string>;
  for (const host of ['www.youtube.com', 'm.youtube.com', 'music.youtube.com', 'youtubei.googleapis.com', '*.googlevideo.com', '*.ytimg.com']) origins[host] = RELAY;
  return JSON.stringify(origins);
}

function apiThroughRelay(secret = SECRET) {
  const app = createApp();
  const apiEnv = { ...bindings, UPSTREAM_ORIGINS: relayedOrigins(), RELAY_SECRET: secret };
  return async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('X-API-Key', TEST_ADMIN_KEY);
    headers.set('CF-Connecting-IP', '10.77.0.1');
    const ctx = createExecutionContext();
    // A stream's pump is waitUntil work that runs as the body is read: not waited for here.
    void waitOnExecutionContext(ctx);
    return app.fetch(new Request(`http://api.test${path}`, { ...init, headers }), apiEnv, ctx);
  };
}

async function relayedChunks(): Promise<Array<{ clen?: number; bytes?: number }>> {
  return (await upstream.calls()).filter((entry) => entry.path === '/videoplayback' && entry.via === VIA);
}

/** One request written as raw bytes: fetch would normalise the targets a hostile client sends. */
async function rawRelay(requestLine: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(RELAY);
  const socket = connect({ hostname, port: Number(port) });
  const writer = socket.writable.getWriter();
  const lines = [requestLine, `Host: ${hostname}:${port}`, 'Connection: close', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  await writer.write(new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n`));
  const text = await new Response(socket.readable).text();
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]), text };
}

function relay(path: string, headers: Record<string, string>, init: RequestInit = {}) {
  return fetch(`${RELAY}${path}`, { ...init, headers, redirect: 'manual' });
}

describe('the egress relay', () => {
  it('carries a resolve and a byte-exact stream: every YouTube and googlevideo request leaves through it', async () => {
    const videoId = testVideoId('rly');
    await upstream.alias(videoId, 'M4gD1WSo5mA');
    const call = apiThroughRelay();
    const resolved = await call(`/v1/resolve?query=${videoId}`);
    expect(resolved.status).toBe(200);
    const body = await resolved.json<any>();
    const response = await call(new URL(body.stream.url).pathname);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length).toBe(body.stream.size);
    const itag = body.stream.mime.includes('opus') ? 251 : 140;
    expect(Buffer.from(bytes).equals(Buffer.from(streamBytes(seedOf(`${itag}:${body.stream.size}`), 0, bytes.length - 1)))).toBe(true);
    const players = (await upstream.calls()).filter((entry) => entry.videoId === videoId && entry.path === '/youtubei/v1/player');
    expect(players.length).toBeGreaterThan(0);
    for (const entry of players) expect(entry.via, 'the player request came through the relay').toBe(VIA);
    // Every chunk of the file came through the relay, and googlevideo saw its own host name.
    const chunks = (await relayedChunks()).filter((entry) => entry.clen === body.stream.size);
    expect(chunks.reduce((sum, entry) => sum + (entry.bytes ?? 0), 0)).toBe(body.stream.size);
    for (const entry of chunks as Array<{ host?: string }>) expect(entry.host).toMatch(/\.googlevideo\.com$/);
  });

  it('carries the consumer Worker’s resolve and download too', async () => {
    const token = await telegram.newBot();
    const videoId = testVideoId('rlc');
    await upstream.alias(videoId, 'M4gD1WSo5mA');
    await store.claimCacheEntry(videoId, 'audio', { now: new Date(), retryAfterMs: 600_000 });
    const workerEnv = consumerEnv(token, { UPSTREAM_ORIGINS: relayedOrigins(), RELAY_SECRET: SECRET });
    const before = (await relayedChunks()).length;
    const result = await runJobs([{ video_id: videoId, type: 'audio' }], workerEnv);
    expect(result.explicitAcks).toEqual(['job-0']);
    const entry = await store.getCacheEntry(videoId, 'audio');
    expect(entry?.status).toBe('ready');
    const players = (await upstream.calls()).filter((call) => call.videoId === videoId && call.path === '/youtubei/v1/player');
    expect(players.length).toBeGreaterThan(0);
    for (const call of players) expect(call.via).toBe(VIA);
    const chunks = (await relayedChunks()).slice(before).filter((call) => call.clen === entry!.size);
    expect(chunks.reduce((sum, call) => sum + (call.bytes ?? 0), 0)).toBe(entry!.size);
  });

  it('refuses a missing or wrong secret, foreign hosts and absolute targets with 403, and follows no redirect', async () => {
    const player = { method: 'POST', body: JSON.stringify({ videoId: 'M4gD1WSo5mA', context: { client: { clientName: 'VISIONOS' } } }) };
    expect((await relay('/youtubei/v1/player', { 'X-Forwarded-Host': 'www.youtube.com' }, player)).status).toBe(403);
    expect((await relay('/youtubei/v1/player', { 'X-Forwarded-Host': 'www.youtube.com', 'X-Relay-Secret': 'wrong-secret-0123456789' }, player)).status).toBe(403);
    for (const host of ['evil.example', 'www.youtube.com.evil.example', '127.0.0.1:9100', 'api.telegram.org', 'www.youtube.com:8080', 'googlevideo.com.evil.example']) {
      const refused = await relay('/x', { 'X-Forwarded-Host': host, 'X-Relay-Secret': SECRET });
      expect(refused.status, host).toBe(403);
      expect((await refused.json<any>()).error.code).toBe('relay.host_forbidden');
    }
    expect((await relay('/x', { 'X-Relay-Secret': SECRET })).status).toBe(403);
    const allowed = await relay('/youtubei/v1/player', { 'X-Forwarded-Host': 'www.youtube.com', 'X-Relay-Secret': SECRET }, player);
    expect(allowed.status).toBe(200);
    expect((await allowed.json<any>()).videoDetails.videoId).toBe('M4gD1WSo5mA');
    // Targets that would pick another destination: an absolute URL, a backslash a URL parser takes for `//`.
    const secretHeaders = { 'X-Forwarded-Host': 'www.youtube.com', 'X-Relay-Secret': SECRET };
    const absolute = await rawRelay('GET http://evil.example/x HTTP/1.1', secretHeaders);
    expect(absolute.status).toBe(403);
    expect(absolute.text).toContain('relay.target_forbidden');
    expect((await rawRelay('GET //evil.example/x HTTP/1.1', secretHeaders)).status).toBe(403);
    // Stays a path on www.youtube.com (the stand-in's 404), never a request to evil.example (a 502).
    expect((await rawRelay('GET /\\evil.example/x HTTP/1.1', secretHeaders)).status).toBe(404);
    // The stand-in answers /__relay-redirect with a 302: the relay hands it back untouched.
    const redirect = await relay('/__relay-redirect', { 'X-Forwarded-Host': 'rr1---sn-test.googlevideo.com', 'X-Relay-Secret': SECRET });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://rr2---sn-test.googlevideo.com/videoplayback?redirected=1');
  });

  it('shows in /health?deep=true: reachable with the right secret, not with a wrong one', async () => {
    const good = await (await apiThroughRelay()('/health?deep=true')).json<any>();
    expect(good.youtube.relay).toEqual({ configured: true, reachable: true });
    const wrong = await (await apiThroughRelay('wrong-secret-0123456789')('/health?deep=true')).json<any>();
    expect(wrong.youtube.relay).toEqual({ configured: true, reachable: false });
    // Only the player host goes to the relay: the ping takes that way too.
    const origins = JSON.parse(bindings.UPSTREAM_ORIGINS) as Record<string, string>;
    const onlyPlayer = { ...bindings, UPSTREAM_ORIGINS: JSON.stringify({ ...origins, 'www.youtube.com': undefined, 'youtubei.googleapis.com': RELAY }), RELAY_SECRET: SECRET };
    const ctx = createExecutionContext();
    const partial = await createApp().fetch(new Request('http://api.test/health?deep=true', { headers: { 'X-API-Key': TEST_ADMIN_KEY } }), onlyPlayer, ctx);
    await waitOnExecutionContext(ctx);
    expect((await partial.json<any>()).youtube.relay).toEqual({ configured: true, reachable: true });
    expect(JSON.stringify(good)).not.toContain(SECRET);
  });
});
