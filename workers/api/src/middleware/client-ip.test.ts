import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import type { Config } from '../config';
import { clientIp } from './client-ip';

function appWith(settings: Partial<Config>) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('config', { TRUST_FORWARDED_FOR: false, TRUSTED_PROXY_HOPS: 1, TRUSTED_PROXY_SECRET: PROXY_SECRET, ...settings } as Config);
    await next();
  });
  app.get('/', (c) => c.text(clientIp(c)));
  // Through the operator's proxy unless the test says otherwise.
  return async (headers: Record<string, string>) => (await app.request('/', { headers: { 'X-Trusted-Proxy-Secret': PROXY_SECRET, ...headers } })).text();
}

const PROXY_SECRET = 'proxy-secret-0123456789abcdef';

describe('clientIp', () => {
  it('is CF-Connecting-IP unless TRUST_FORWARDED_FOR is set, whatever X-Forwarded-For says', async () => {
    const ip = appWith({});
    expect(await ip({ 'CF-Connecting-IP': '203.0.113.9', 'X-Forwarded-For': '198.51.100.1' })).toBe('203.0.113.9');
    expect(await ip({})).toBe('unknown');
  });

  it('takes the entry the trusted proxy appended, not the client-written left-most one', async () => {
    const ip = appWith({ TRUST_FORWARDED_FOR: true });
    // The client wrote "1.1.1.1"; the proxy appended the address it saw.
    expect(await ip({ 'X-Forwarded-For': '1.1.1.1, 203.0.113.50', 'CF-Connecting-IP': '192.0.2.10' })).toBe('203.0.113.50');
    // Behind Cloudflare, the proxy's own address is appended last (and is CF-Connecting-IP): skipped.
    expect(await ip({ 'X-Forwarded-For': '1.1.1.1, 203.0.113.50, 192.0.2.10', 'CF-Connecting-IP': '192.0.2.10' })).toBe('203.0.113.50');
    expect(await ip({ 'X-Forwarded-For': '2001:db8::7', 'CF-Connecting-IP': '192.0.2.10' })).toBe('2001:db8::7');
  });

  it('counts TRUSTED_PROXY_HOPS entries from the right', async () => {
    const ip = appWith({ TRUST_FORWARDED_FOR: true, TRUSTED_PROXY_HOPS: 2 });
    expect(await ip({ 'X-Forwarded-For': 'forged, 203.0.113.50, 10.0.0.2', 'CF-Connecting-IP': '192.0.2.10' })).toBe('203.0.113.50');
    // Fewer entries than hops: the request did not pass the proxies.
    expect(await ip({ 'X-Forwarded-For': '203.0.113.50', 'CF-Connecting-IP': '192.0.2.10' })).toBe('192.0.2.10');
  });

  it('refuses an entry that is not an IP address', async () => {
    const ip = appWith({ TRUST_FORWARDED_FOR: true });
    expect(await ip({ 'X-Forwarded-For': '<script>', 'CF-Connecting-IP': '192.0.2.10' })).toBe('192.0.2.10');
    expect(await ip({ 'X-Forwarded-For': 'x'.repeat(300), 'CF-Connecting-IP': '192.0.2.10' })).toBe('192.0.2.10');
  });

  it('reads X-Forwarded-For only on requests that carry TRUSTED_PROXY_SECRET: a client calling the Worker directly picks no IP', async () => {
    const ip = appWith({ TRUST_FORWARDED_FOR: true });
    const forged = { 'X-Forwarded-For': '198.51.100.77, 203.0.113.50', 'CF-Connecting-IP': '192.0.2.10' };
    expect(await ip(forged)).toBe('203.0.113.50');
    expect(await ip({ ...forged, 'X-Trusted-Proxy-Secret': '' })).toBe('192.0.2.10');
    expect(await ip({ ...forged, 'X-Trusted-Proxy-Secret': 'proxy-secret-0123456789abcdeX' })).toBe('192.0.2.10');
    expect(await ip({ ...forged, 'X-Trusted-Proxy-Secret': 'proxy-secret' })).toBe('192.0.2.10');
    // No secret set: no request proves it came through the proxy.
    const unset = appWith({ TRUST_FORWARDED_FOR: true, TRUSTED_PROXY_SECRET: undefined });
    expect(await unset(forged)).toBe('192.0.2.10');
  });
});
