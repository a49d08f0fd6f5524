import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { TEST_ADMIN_KEY, apiJson, upstream } from './support/api';
import { seedOf, streamBytes } from './servers/stream-bytes';

/**
 * A media host slower than UPSTREAM_TIMEOUT_MS per chunk, as googlevideo is to a player that reads
 * in real time (a 10 MB chunk of a long track takes minutes): the timeout bounds the wait for each
 * chunk's answer, never the reading of its body, so the stream is not cut mid-play.
 */
const TIMEOUT_MS = 500;
// A 1 MiB chunk then takes 1.1 s to arrive, more than twice the timeout.
const BYTES_PER_SECOND = 900 * 1024;

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
    // "Tennis" (T4XJQO3qol8): its opus file is 2.8 MiB, three of the tests' 1 MiB chunks.
    await upstream.alias('slowhost001', 'T4XJQO3qol8');
    // Resolved under the default timeout: only the stream's timeout is short, so a loaded machine cannot fail the resolve.
    const resolved = (await apiJson('/v1/resolve?query=slowhost001')).body;
    const size = resolved.stream.size as number;
    expect(size).toBeGreaterThan(2 * 1024 * 1024);
    await upstream.pace('slowhost001', BYTES_PER_SECOND);
    const call = apiWithTimeout();
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
