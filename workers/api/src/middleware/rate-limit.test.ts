import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Config } from '../config';
import type { AppEnv, Principal } from '../env';
import { handleError } from './error-handler';
import { rateLimit } from './rate-limit';

/** As strict as the binding: `limit` calls per key in the window, then success: false. */
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
