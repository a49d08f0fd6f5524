import { describe, expect, it } from 'vitest';
import { createApp } from './app';
import { loadConfig } from './config';
import { AppError } from '../../core/src/errors';

const base = { STREAM_SIGNING_KEY: 'a-good-signing-key-of-some-length' };

describe('loadConfig', () => {
  it('fills defaults and parses every kind of setting', () => {
    const config = loadConfig({
      ...base,
      YOUTUBE_CLIENTS: 'ios, visionos',
      FALLBACK_INSTANCES: 'piped:https://pipedapi.example,invidious:https://inv.example/',
      UPSTREAM_ORIGINS: '{"*.googlevideo.com":"http://127.0.0.1:9100"}',
      DEBUG: 'true',
    });
    expect(config.YOUTUBE_CLIENTS).toEqual(['IOS', 'VISIONOS']);
    expect(config.FALLBACK_INSTANCES).toEqual([
      { type: 'piped', url: 'https://pipedapi.example' },
      { type: 'invidious', url: 'https://inv.example' },
    ]);
    expect(config.UPSTREAM_ORIGINS).toEqual({ '*.googlevideo.com': 'http://127.0.0.1:9100' });
    expect(config.DEBUG).toBe(true);
    expect(config.STREAM_TOKEN_TTL_SECONDS).toBe(86_400);
    expect(loadConfig(base).YOUTUBE_CLIENTS).toEqual(['VISIONOS', 'TV', 'WEB_EMBEDDED', 'MWEB', 'WEB']);
  });

  it.each([
    [{}, 'STREAM_SIGNING_KEY'],
    [{ ...base, YOUTUBE_CLIENTS: 'NETSCAPE' }, 'YOUTUBE_CLIENTS'],
    [{ ...base, UPSTREAM_ORIGINS: '{not json' }, 'UPSTREAM_ORIGINS'],
    [{ ...base, UPSTREAM_ORIGINS: '{"www.youtube.com":"ftp://x"}' }, 'UPSTREAM_ORIGINS'],
    [{ ...base, FALLBACK_INSTANCES: 'gopher:https://x' }, 'FALLBACK_INSTANCES'],
    [{ ...base, STREAM_TOKEN_TTL_SECONDS: '-5' }, 'STREAM_TOKEN_TTL_SECONDS'],
    [{ ...base, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    // SHUKLA bots give up after 60 s in all: a longer wait would answer no one.
    [{ ...base, TELEGRAM_LINK_WAIT_SECONDS: '60' }, 'TELEGRAM_LINK_WAIT_SECONDS'],
  ])('names the bad variable in %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrowError(new RegExp(`Setting ${variable} `));
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as AppError).code).toBe('config.invalid');
    }
  });

  it('answers a request under a bad setting with a clear JSON error, not a stack trace', async () => {
    const response = await createApp().fetch(new Request('http://api.test/health'), { STREAM_SIGNING_KEY: 'short' });
    expect(response.status).toBe(500);
    const body = await response.json<any>();
    expect(body.error.code).toBe('config.invalid');
    expect(body.error.message).toContain('STREAM_SIGNING_KEY');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    expect(JSON.stringify(body)).not.toContain('short');
  });
});
