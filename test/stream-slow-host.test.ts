import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { TEST_ADMIN_KEY, upstream } from './support/api';
import { seedOf, streamBytes } from './servers/stream-bytes';

/**
 * A media host slower than UPSTREAM_TIMEOUT_MS per chunk, as googlevideo is to a player that reads
 * in real time (a 10 MB chunk of a long track takes minutes): the timeout bounds the wait for each
 * chunk's answer, never the reading of its body, so the stream is not cut mid-play.
 */
const TIMEOUT_MS = 250;
const BYTES_PER_SECOND = 2 * 1024 * 1024;

function apiWithTimeout() {
  const app = createApp();
  const apiEnv = { ...env, UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) };
  return async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('X-API-Key', TEST_ADMIN_KEY);
    headers.set('CF-Connecting-IP', '10.91.0.1');
    // A stream's pump is waitUntil work that runs as the body is read: not waited for here.
    return app.fetch(new Request(`http://api.test${path}`, { ...init, headers }), apiEnv, createExecutionContext());
  };
}

describe('a media host slower than UPSTREAM_TIMEOUT_MS', () => {
  it('streams the whole file byte-exact, each 1 MiB chunk taking twice the timeout to arrive', async () => {
    await upstream.alias('slowhost001', 'M4gD1WSo5mA');
    await upstream.pace('slowhost001', BYTES_PER_SECOND);
    const call = apiWithTimeout();
    const resolved = await (await call('/v1/resolve?query=slowhost001')).json<any>();
    const size = resolved.stream.size as number;
    // Several chunks (the tests' STREAM_CHUNK_BYTES is 1 MiB), each slower than the timeout.
    expect(size).toBeGreaterThan(2 * 1024 * 1024);
    const started = Date.now();
    const response = await call(new URL(resolved.stream.url).pathname);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(Date.now() - started).toBeGreaterThan(TIMEOUT_MS * 2);
    expect(bytes.length).toBe(size);
    const itag = resolved.stream.mime.includes('opus') ? 251 : 140;
    expect(Buffer.from(bytes).equals(Buffer.from(streamBytes(seedOf(`${itag}:${size}`), 0, size - 1)))).toBe(true);
  });
});
