import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signStreamToken } from '../workers/core/src/stream/token';
import { rewritePlaylist } from '../workers/core/src/stream/hls';
import { api, apiJson, upstream } from './support/api';
import { seedOf, streamBytes } from './servers/stream-bytes';

const SIGNING_KEY = (env as unknown as { STREAM_SIGNING_KEY: string }).STREAM_SIGNING_KEY;

async function resolveAudio(videoId: string) {
  const { body } = await apiJson(`/v1/resolve?query=${videoId}`);
  const path = new URL(body.stream.url).pathname;
  const itag = body.stream.mime.includes('opus') ? 251 : 140;
  return { path, size: body.stream.size as number, seed: seedOf(`${itag}:${body.stream.size}`), body };
}

function expectBytes(actual: Uint8Array, seed: number, start: number) {
  const expected = streamBytes(seed, start, start + actual.length - 1);
  // Compare in one go: a mismatch anywhere (a chunk boundary, say) fails.
  expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
}

describe('/stream/<token>', () => {
  it('streams the whole file byte-exact across chunk boundaries, in ≤ chunk-size upstream requests', async () => {
    const { path, size, seed } = await resolveAudio('M4gD1WSo5mA');
    const response = await api(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Length')).toBe(String(size));
    expect(response.headers.get('Accept-Ranges')).toBe('bytes');
    expect(response.headers.get('Content-Type')).toBe('audio/webm');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length).toBe(size);
    expectBytes(bytes, seed, 0);
    // The calls that served bytes: the upstream is shared with test files running beside this one, whose refused
    // calls (an expired URL of the same file) carry none. An oversized range is refused too, and the bytes above would not match.
    const chunks = (await upstream.calls()).filter((call) => call.path === '/videoplayback' && call.clen === size && call.bytes !== undefined);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(size / (1024 * 1024)));
    for (const call of chunks) {
      expect(call.range).toMatch(/^\d+-\d+$/);
      expect(call.bytes).toBeLessThanOrEqual(1024 * 1024);
    }
  });

  it('answers a single Range with 206 and an exact Content-Range, across a chunk boundary', async () => {
    const { path, size, seed } = await resolveAudio('M4gD1WSo5mA');
    const start = 1024 * 1024 - 100;
    const end = 3 * 1024 * 1024 + 99;
    const response = await api(path, { headers: { Range: `bytes=${start}-${end}` } });
    expect(response.status).toBe(206);
    expect(response.headers.get('Content-Range')).toBe(`bytes ${start}-${end}/${size}`);
    expect(response.headers.get('Content-Length')).toBe(String(end - start + 1));
    expect(response.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('Server-Timing')).toContain('total');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length).toBe(end - start + 1);
    expectBytes(bytes, seed, start);
  });

  it('serves open-ended and suffix ranges', async () => {
    const { path, size, seed } = await resolveAudio('T4XJQO3qol8');
    const suffix = await api(path, { headers: { Range: 'bytes=-500' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('Content-Range')).toBe(`bytes ${size - 500}-${size - 1}/${size}`);
    expectBytes(new Uint8Array(await suffix.arrayBuffer()), seed, size - 500);
    const tail = await api(path, { headers: { Range: `bytes=${size - 10}-` } });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(10);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { path, size } = await resolveAudio('M4gD1WSo5mA');
    const response = await api(path, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Length')).toBe(String(size));
    expect(response.headers.get('Content-Type')).toBe('audio/webm');
    expect(await response.text()).toBe('');
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const { path, size } = await resolveAudio('M4gD1WSo5mA');
    const response = await api(path, { headers: { Range: `bytes=${size}-${size + 10}` } });
    expect(response.status).toBe(416);
    expect(response.headers.get('Content-Range')).toBe(`bytes */${size}`);
    expect((await response.json<any>()).error.code).toBe('stream.range_not_satisfiable');
  });

  it('refuses a tampered token with 403 and an expired one with 410, both JSON', async () => {
    const { path } = await resolveAudio('M4gD1WSo5mA');
    const [payload, signature] = path.split('/').pop()!.split('.');
    const tampered = `${payload!.slice(0, -2)}xx.${signature}`;
    const forged = await api(`/stream/${tampered}`);
    expect(forged.status).toBe(403);
    expect((await forged.json<any>()).error.code).toBe('stream.token_invalid');
    const otherKey = await signStreamToken({ videoId: 'M4gD1WSo5mA', itag: 251, type: 'audio', delivery: 'direct', expiresAt: 2e9, keyHash: null }, 'another-key-0123456789abcdef');
    expect((await api(`/stream/${otherKey}`)).status).toBe(403);
    expect((await api('/stream/garbage')).status).toBe(403);
    const expired = await signStreamToken({ videoId: 'M4gD1WSo5mA', itag: 251, type: 'audio', delivery: 'direct', expiresAt: Math.floor(Date.now() / 1000) - 1, keyHash: null }, SIGNING_KEY);
    const gone = await api(`/stream/${expired}`);
    expect(gone.status).toBe(410);
    expect((await gone.json<any>()).error.code).toBe('stream.token_expired');
  });

  it('re-resolves once when googlevideo says the URL expired', async () => {
    await upstream.alias('expireTest1', 'cJ9to6EmElQ');
    const { path, size, seed } = await resolveAudio('expireTest1');
    await upstream.expireStream(size, 1);
    const response = await api(path, { headers: { Range: 'bytes=0-999' } });
    expect(response.status).toBe(206);
    expectBytes(new Uint8Array(await response.arrayBuffer()), seed, 0);
    const players = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === 'expireTest1');
    expect(players.length).toBe(2);
  });

  it('proxies HLS: every playlist and segment URL is rewritten to pass through the service', async () => {
    const { body } = await apiJson('/v1/resolve?query=X4VbdwhkE10&type=video');
    const master = await api(new URL(body.stream.url).pathname);
    expect(master.status).toBe(200);
    expect(master.headers.get('Content-Type')).toBe('application/vnd.apple.mpegurl');
    const masterText = await master.text();
    expect(master.headers.get('Content-Length')).toBe(String(new TextEncoder().encode(masterText).byteLength));
    const head = await api(new URL(body.stream.url).pathname, { method: 'HEAD' });
    expect(head.headers.get('Content-Length')).toBe(master.headers.get('Content-Length'));
    expect(await head.text()).toBe('');
    const variants = masterText.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(variants.length).toBe(2);
    // Each URI ends in the extension of what it names: ffmpeg's HLS demuxer refuses segments that do not.
    for (const line of variants) expect(line).toMatch(/^http:\/\/api\.test\/stream\/[\w.-]+\/hls\/[\w-]+\.[\w-]{22}\.m3u8$/);
    const media = await api(new URL(variants[0]!).pathname);
    const mediaText = await media.text();
    const segments = mediaText.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(segments).toHaveLength(2);
    for (const line of segments) expect(new URL(line).pathname).toMatch(/\.ts$/);
    expect(mediaText).not.toContain('googlevideo.com');
    const segment = await api(new URL(segments[1]!).pathname);
    expect(segment.status).toBe(200);
    expect((await segment.arrayBuffer()).byteLength).toBe(188 * 1000);
  });

  it('never fetches a host other than googlevideo or a configured instance (no SSRF), even for a URI it signed', async () => {
    const { body } = await apiJson('/v1/resolve?query=X4VbdwhkE10&type=video');
    const token = new URL(body.stream.url).pathname.split('/')[2]!;
    const targets = ['http://127.0.0.1:8080/admin', 'https://evil.example/x.m3u8', 'https://googlevideo.com.evil.example/x', 'https://user:pw@rr1.googlevideo.com/x', 'file:///etc/passwd'];
    // As if a playlist had carried these URIs: signed like every URI the service writes.
    const signed = await rewritePlaylist(targets.join('\n'), 'https://manifest.googlevideo.com/x.m3u8', { proxyBase: '', token, secret: SIGNING_KEY });
    for (const line of signed.split('\n')) {
      const response = await api(`/stream/${token}/hls${line}`);
      expect(response.status).toBe(403);
      expect((await response.json<any>()).error.code).toBe('stream.host_forbidden');
    }
    const calls = await upstream.calls();
    expect(calls.some((call) => call.host.includes('evil'))).toBe(false);
  });
});
