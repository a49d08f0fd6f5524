import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { loadConfig } from '../config';
import { clientIp } from './client-ip';

function app(settings: Record<string, string> = {}) {
  const hono = new Hono<AppEnv>();
  hono.get('/', (c) => {
    c.set('config', loadConfig({ STREAM_SIGNING_KEY: 'unit-test-signing-key-0123', ...settings }));
    return c.text(clientIp(c));
  });
  return hono;
}

const headers = { 'CF-Connecting-IP': '203.0.113.7', 'X-Forwarded-For': '198.51.100.1, 10.0.0.1' };

describe('clientIp', () => {
  it("takes Cloudflare's CF-Connecting-IP and ignores X-Forwarded-For, which any client can send", async () => {
    expect(await (await app().request('/', { headers })).text()).toBe('203.0.113.7');
  });

  it('takes the first X-Forwarded-For hop only with TRUST_FORWARDED_FOR', async () => {
    expect(await (await app({ TRUST_FORWARDED_FOR: 'true' }).request('/', { headers })).text()).toBe('198.51.100.1');
    expect(await (await app({ TRUST_FORWARDED_FOR: 'true' }).request('/', { headers: { 'CF-Connecting-IP': '203.0.113.7' } })).text()).toBe('203.0.113.7');
  });

  it('says unknown when no header names the caller', async () => {
    expect(await (await app().request('/')).text()).toBe('unknown');
  });
});
