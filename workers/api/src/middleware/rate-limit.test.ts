import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { loadConfig } from '../config';
import { handleError } from './error-handler';
import { rateLimit } from './rate-limit';

/** Workers' Rate Limiting binding as it behaves: `limit` calls per key, then success: false. */
function limiter(limit: number) {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    binding: {
      async limit({ key }: { key: string }) {
        keys.push(key);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return { success: counts.get(key)! <= limit };
      },
    } as RateLimit,
  };
}

function app(settings: Record<string, string> = {}) {
  const hono = new Hono<AppEnv>();
  hono.use(async (c, next) => {
    c.set('config', loadConfig({ STREAM_SIGNING_KEY: 'unit-test-signing-key-0123', ...settings }));
    await next();
  });
  hono.use(rateLimit());
  hono.get('/v1/x', (c) => c.text('ok'));
  hono.onError(handleError);
  return hono;
}

const from = (ip: string) => ({ headers: { 'CF-Connecting-IP': ip } });

describe('rateLimit', () => {
  it('refuses an address past its limit with 429 rate.limited and Retry-After, and counts each address apart', async () => {
    const { binding, keys } = limiter(2);
    const hono = app();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await hono.request('/v1/x', from('203.0.113.7'), { IP_RATE_LIMITER: binding })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await hono.request('/v1/x', from('203.0.113.7'), { IP_RATE_LIMITER: binding });
    expect(refused.headers.get('Retry-After')).toBe('60');
    expect(refused.headers.get('X-Error-Code')).toBe('rate.limited');
    expect((await hono.request('/v1/x', from('198.51.100.1'), { IP_RATE_LIMITER: binding })).status).toBe(200);
    expect(new Set(keys)).toEqual(new Set(['203.0.113.7', '198.51.100.1']));
  });

  it('is off with RATE_LIMIT_PER_MINUTE=0 or without the binding', async () => {
    const { binding, keys } = limiter(0);
    expect((await app({ RATE_LIMIT_PER_MINUTE: '0' }).request('/v1/x', from('203.0.113.7'), { IP_RATE_LIMITER: binding })).status).toBe(200);
    expect(keys).toEqual([]);
    expect((await app().request('/v1/x', from('203.0.113.7'), {})).status).toBe(200);
  });
});
