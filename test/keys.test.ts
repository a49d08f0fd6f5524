import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { secondsUntilIstMidnight } from '../workers/api/src/quota/ist-calendar';
import { api, apiJson, createKey, inOneRateWindow, TEST_ADMIN_KEY, upstream, withKey } from './support/api';

const RESOLVE = '/v1/resolve?query=M4gD1WSo5mA';

describe('API keys', () => {
  it('creates a key shown once as a UUID v4, stored only as its hash', async () => {
    const { key, record } = await createKey({ name: 'Alice bot' });
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(record).toMatchObject({ name: 'Alice bot', tier: 'user', daily_limit: 1000, active: true, status: 'active', total_used: 0 });
    expect(JSON.stringify(record)).not.toContain(key);
    expect(record).not.toHaveProperty('key_hash');
    const expiresIn = Date.parse(record.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(29.9 * 86400_000);
    expect(expiresIn).toBeLessThan(30.1 * 86400_000);
    const listed = await apiJson(`/admin/keys/${record.id}`);
    expect(JSON.stringify(listed.body)).not.toContain(key);
  });

  it('accepts the key as X-API-Key, Bearer, ?api_key= and ?api=, with RateLimit headers counting down', async () => {
    const { key } = await createKey({ daily_limit: 10 });
    // The first resolve may take seconds (a cold player): the reset lies between what it was before and after.
    const resetBefore = secondsUntilIstMidnight(Date.now());
    const answers = [
      await api(RESOLVE, { headers: { 'X-API-Key': key } }),
      await api(RESOLVE, { headers: { Authorization: `Bearer ${key}` } }),
      await api(`${RESOLVE}&api_key=${key}`),
      await api(`${RESOLVE}&api=${key}`),
    ];
    expect(answers.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((response) => response.headers.get('RateLimit-Remaining'))).toEqual(['9', '8', '7', '6']);
    for (const response of answers) {
      expect(response.headers.get('RateLimit-Limit')).toBe('10');
      const reset = Number(response.headers.get('RateLimit-Reset'));
      expect(reset).toBeLessThanOrEqual(resetBefore + 1);
      expect(reset).toBeGreaterThanOrEqual(secondsUntilIstMidnight(Date.now()) - 1);
    }
  });

  it.each([
    [{ 'X-API-Key': 'none' }, 401, 'key.missing'],
    [{ 'X-API-Key': '00000000-0000-4000-8000-000000000000' }, 401, 'key.invalid'],
    [{ 'X-API-Key': 'not-a-key' }, 401, 'key.invalid'],
    [{ Authorization: 'Bearer 11111111-2222-4333-8444-555555555555' }, 401, 'key.invalid'],
  ])('refuses %j with %i %s', async (headers, status, code) => {
    const answer = await apiJson(RESOLVE, { headers });
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
  });

  it('refuses an expired key with 403 key.expired', async () => {
    const { key, record } = await createKey();
    expect((await api(RESOLVE, withKey(key))).status).toBe(200);
    const patched = await apiJson(`/admin/keys/${record.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ expires_at: new Date(Date.now() - 1000).toISOString() }),
    });
    expect(patched.body.status).toBe('expired');
    const answer = await apiJson(RESOLVE, withKey(key));
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('key.expired');
  });

  it('stops a revoked key on its very next request, stream links included, and lets it back when reactivated', async () => {
    const { key, record } = await createKey();
    const resolved = await apiJson(RESOLVE, withKey(key));
    const streamPath = new URL(resolved.body.stream.url).pathname;
    expect((await api(streamPath, { method: 'HEAD', headers: { 'X-API-Key': 'none' } })).status).toBe(200);
    await api(`/admin/keys/${record.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ active: false }) });
    const refused = await apiJson(RESOLVE, withKey(key));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('key.revoked');
    const stream = await api(streamPath, { method: 'HEAD', headers: { 'X-API-Key': 'none' } });
    expect(stream.status).toBe(403);
    await api(`/admin/keys/${record.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ active: true }) });
    expect((await api(RESOLVE, withKey(key))).status).toBe(200);
  });

  it('refuses a deleted key at once', async () => {
    const { key, record } = await createKey();
    expect((await api(RESOLVE, withKey(key))).status).toBe(200);
    expect((await apiJson(`/admin/keys/${record.id}`, { method: 'DELETE' })).body.deleted).toBe(true);
    expect((await apiJson(RESOLVE, withKey(key))).body.error.code).toBe('key.invalid');
  });

  it('lets exactly N of many concurrent requests through a limit of N', async () => {
    const { key } = await createKey({ daily_limit: 100 });
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, () => api('/v1/resolve?query=', withKey(key)).then((response) => response.status)),
    );
    expect(statuses.filter((status) => status !== 429)).toHaveLength(100);
    expect(statuses.filter((status) => status === 429)).toHaveLength(900);
  });

  it('answers an exhausted key with 429 quota.exceeded and Retry-After until IST midnight', async () => {
    const { key } = await createKey({ daily_limit: 1 });
    expect((await api(RESOLVE, withKey(key))).status).toBe(200);
    const refused = await api(RESOLVE, withKey(key));
    expect(refused.status).toBe(429);
    expect((await refused.json<any>()).error.code).toBe('quota.exceeded');
    expect(Math.abs(Number(refused.headers.get('Retry-After')) - secondsUntilIstMidnight(Date.now()))).toBeLessThanOrEqual(5);
    expect(refused.headers.get('RateLimit-Remaining')).toBe('0');
  });

  it('gives the quota back for a request that failed on our side (5xx)', async () => {
    const { key } = await createKey({ daily_limit: 5 });
    await upstream.alias('refund00001', 'it3OtbTxQk0');
    await upstream.scenario('refund00001', 'bot_check');
    const failed = await api('/v1/resolve?query=refund00001', withKey(key));
    expect(failed.status).toBe(503);
    const next = await api(RESOLVE, withKey(key));
    // The failed request was counted, then refunded: only this one counts.
    expect(next.headers.get('RateLimit-Remaining')).toBe('4');
  });

  it('never needs a key for /health and /info', async () => {
    expect((await api('/health', { headers: { 'X-API-Key': 'none' } })).status).toBe(200);
    expect((await api('/info', { headers: { 'X-API-Key': 'none' } })).status).toBe(200);
  });

  it('takes ADMIN_API_KEY as the bootstrap credential but not a user key for the admin API', async () => {
    const { key } = await createKey();
    const refused = await apiJson('/admin/keys', withKey(key));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('key.forbidden');
    const admin = await createKey({ tier: 'admin', name: 'ops' });
    expect(admin.record.daily_limit).toBe(10_000_000);
    expect((await api('/admin/keys', withKey(admin.key))).status).toBe(200);
    expect((await api('/admin/keys', withKey(TEST_ADMIN_KEY))).status).toBe(200);
  });
});

describe('per-IP rate limit', () => {
  it('answers the request past the limit with 429 rate.limited and Retry-After', async () => {
    await inOneRateWindow(15_000);
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 101; i++) {
      const response = await api('/v1/resolve?query=', { headers: { 'CF-Connecting-IP': ip } });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses.slice(0, 100).every((status) => status === 400)).toBe(true);
    expect(statuses[100]).toBe(429);
    expect((await refused!.json<any>()).error.code).toBe('rate.limited');
    expect(Number(refused!.headers.get('Retry-After'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await api('/v1/resolve?query=', { headers: { 'CF-Connecting-IP': '203.0.113.78' } })).status).toBe(400);
  }, 60_000);

  it('trusts X-Forwarded-For only when TRUST_FORWARDED_FOR is set', async () => {
    // Default off: a spoofed X-Forwarded-For does not dodge the limit of the real address.
    await inOneRateWindow(15_000);
    const ip = '203.0.113.90';
    let last = 0;
    for (let i = 0; i < 101; i++) {
      last = (await api('/v1/resolve?query=', { headers: { 'CF-Connecting-IP': ip, 'X-Forwarded-For': `198.51.100.${i}` } })).status;
    }
    expect(last).toBe(429);
  }, 60_000);

  it('with TRUST_FORWARDED_FOR, takes the entry the proxy appended: a rotated left-most entry dodges nothing', async () => {
    await inOneRateWindow(15_000);
    const app = createApp();
    const trusting = { ...env, TRUST_FORWARDED_FOR: 'true' };
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) {
      const ctx = createExecutionContext();
      const headers = { 'X-API-Key': TEST_ADMIN_KEY, 'X-Forwarded-For': `198.51.100.${i}, 203.0.113.91`, 'CF-Connecting-IP': '192.0.2.200' };
      statuses.push((await app.fetch(new Request('http://api.test/v1/resolve?query=', { headers }), trusting, ctx)).status);
      await waitOnExecutionContext(ctx);
    }
    expect(statuses.slice(0, 100).every((status) => status === 400)).toBe(true);
    expect(statuses[100]).toBe(429);
  }, 60_000);
});
