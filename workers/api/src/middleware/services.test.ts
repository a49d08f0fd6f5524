import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { handleError } from './error-handler';
import { services } from './services';

function app() {
  const hono = new Hono<AppEnv>();
  hono.use(services());
  hono.get('/', (c) =>
    c.json({
      clients: c.get('config').YOUTUBE_CLIENTS,
      ready: [c.get('logger'), c.get('outbound'), c.get('youtube'), c.get('keyGate'), c.get('store')].every(Boolean),
    }),
  );
  hono.onError(handleError);
  return hono;
}

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

describe('services', () => {
  it("puts the request's settings and services on the context, from the Worker's env", async () => {
    const answer = await app().request('/', {}, { STREAM_SIGNING_KEY: 'unit-test-signing-key-0123', YOUTUBE_CLIENTS: 'ios, tv' }, ctx);
    expect(await answer.json()).toEqual({ clients: ['IOS', 'TV'], ready: true });
  });

  it('answers 500 config.invalid naming a bad setting, never its value', async () => {
    const answer = await app().request('/', {}, { STREAM_SIGNING_KEY: 'short-secret' }, ctx);
    expect(answer.status).toBe(500);
    const body = await answer.text();
    expect(JSON.parse(body).error).toEqual({ code: 'config.invalid', message: 'Setting STREAM_SIGNING_KEY must be at least 16 characters.' });
    expect(body).not.toContain('short-secret');
  });
});
