import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Config } from '../config';
import { loadConfig } from '../config';
import type { AppEnv, Principal } from '../env';
import { handleError } from './error-handler';
import { rateLimit } from './rate-limit';

/** Workers' Rate Limiting binding as it behaves: `limit` calls per key in the window, then success: false. */
function fakeLimiter(limit: number) {
  const counts = new Map<string, number>();
  return {
    counts,
    async limit({ key }: { key: string }) {
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return { success: count <= limit };
    },
  };
}

/** The middleware with settings parsed as the Worker parses them (strings through loadConfig). */
function parsedApp(settings: Record<string, string> = {}) {
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

function appWith(principal: Principal | undefined, settings: Partial<Config> = {}) {
  const ip = fakeLimiter(2);
  const key = fakeLimiter(3);
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('config', { RATE_LIMIT_PER_MINUTE: 100, KEY_RATE_LIMIT_PER_MINUTE: 600, TRUST_FORWARDED_FOR: false, TRUSTED_PROXY_HOPS: 1, ...settings } as Config);
    if (principal) c.set('principal', principal);
    await next();
  });
  app.use(rateLimit());
  app.get('/', (c) => c.text('ok'));
  app.onError(handleError);
  const bindings = { IP_RATE_LIMITER: ip, KEY_RATE_LIMITER: key };
  const call = async (address: string) => (await app.request('/', { headers: { 'CF-Connecting-IP': address } }, bindings)).status;
  return { call, ip, key };
}

describe('rateLimit', () => {
  it('refuses an address past its limit with 429 rate.limited and Retry-After, and counts each address apart', async () => {
    const limiter = fakeLimiter(2);
    const hono = parsedApp();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await hono.request('/v1/x', from('203.0.113.7'), { IP_RATE_LIMITER: limiter })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const refused = await hono.request('/v1/x', from('203.0.113.7'), { IP_RATE_LIMITER: limiter });
    expect(refused.headers.get('Retry-After')).toBe('60');
    expect(refused.headers.get('X-Error-Code')).toBe('rate.limited');
    expect((await hono.request('/v1/x', from('198.51.100.1'), { IP_RATE_LIMITER: limiter })).status).toBe(200);
    expect(new Set(limiter.counts.keys())).toEqual(new Set(['203.0.113.7', '198.51.100.1']));
  });

  it('is off with RATE_LIMIT_PER_MINUTE=0 or without the binding', async () => {
    const limiter = fakeLimiter(0);
    expect((await parsedApp({ RATE_LIMIT_PER_MINUTE: '0' }).request('/v1/x', from('203.0.113.7'), { IP_RATE_LIMITER: limiter })).status).toBe(200);
    expect(limiter.counts.size).toBe(0);
    expect((await parsedApp().request('/v1/x', from('203.0.113.7'), {})).status).toBe(200);
  });

  it('counts a request without a key against its IP', async () => {
    const { call, ip } = appWith(undefined);
    expect([await call('192.0.2.1'), await call('192.0.2.1'), await call('192.0.2.1'), await call('192.0.2.2')]).toEqual([200, 200, 429, 200]);
    expect([...ip.counts.keys()]).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('counts a keyed request against the key, whatever the IP', async () => {
    const { call, ip, key } = appWith({ kind: 'key', keyId: 'abc123', keyHash: 'h', tier: 'user' });
    expect([await call('192.0.2.1'), await call('192.0.2.1'), await call('192.0.2.9'), await call('192.0.2.9')]).toEqual([200, 200, 200, 429]);
    expect([...key.counts.keys()]).toEqual(['key:abc123']);
    expect(ip.counts.size).toBe(0);
  });

  it('counts the bootstrap admin key per IP', async () => {
    const { call, key } = appWith({ kind: 'bootstrap', keyId: 'admin', keyHash: null, tier: 'admin' });
    expect([await call('192.0.2.1'), await call('192.0.2.1'), await call('192.0.2.1')]).toEqual([200, 200, 429]);
    expect(key.counts.size).toBe(0);
  });

  it('is off at 0', async () => {
    const { call } = appWith(undefined, { RATE_LIMIT_PER_MINUTE: 0 });
    for (let index = 0; index < 5; index++) expect(await call('192.0.2.1')).toBe(200);
  });
});
