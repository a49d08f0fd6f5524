import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../workers/core/src/logging/logger';
import { createOutbound } from '../workers/core/src/outbound/http';
import { createMetadataStore } from '../workers/core/src/store';
import { api, apiJson, createKey, withKey } from './support/api';

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('admin API: keys', () => {
  it.each([
    [{ tier: 'user' }, 'name'],
    [{ name: 'x', tier: 'gold' }, 'tier'],
    [{ name: 'x', daily_limit: -1 }, 'daily_limit'],
    [{ name: 'x', expires_in_days: 'soon' }, 'expires_in_days'],
  ])('refuses the body %j with 400 naming %s', async (body, field) => {
    const answer = await apiJson('/admin/keys', json('POST', body));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('request.invalid');
    expect(answer.body.error.message).toContain(field);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const answer = await apiJson('/admin/keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{oops' });
    expect(answer.status).toBe(400);
  });

  it('creates keys that never expire, with custom limits', async () => {
    const { record } = await createKey({ name: 'forever', daily_limit: 42, expires_in_days: null });
    expect(record).toMatchObject({ expires_at: null, daily_limit: 42, status: 'active' });
  });

  it('lists keys with paging, name search and status filter', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await createKey({ name: `Paged ${tag} ${i}` }));
    await api(`/admin/keys/${created[0]!.record.id}`, json('PATCH', { active: false }));
    const page1 = await apiJson(`/admin/keys?search=paged%20${tag}&page_size=2&page=1`);
    const page2 = await apiJson(`/admin/keys?search=PAGED%20${tag}&page_size=2&page=2`);
    expect(page1.body.total).toBe(3);
    expect(page1.body.items).toHaveLength(2);
    expect(page2.body.items).toHaveLength(1);
    const revoked = await apiJson(`/admin/keys?search=${tag}&status=revoked`);
    expect(revoked.body.items.map((item: any) => item.id)).toEqual([created[0]!.record.id]);
    const active = await apiJson(`/admin/keys?search=${tag}&status=active`);
    expect(active.body.total).toBe(2);
  });

  it('shows a key with its use today and per day, and applies a new limit at once', async () => {
    const { key, record } = await createKey({ daily_limit: 50 });
    await api('/v1/resolve?query=M4gD1WSo5mA', withKey(key));
    await api('/v1/resolve?query=M4gD1WSo5mA', withKey(key));
    const detail = await apiJson(`/admin/keys/${record.id}`);
    expect(detail.body.key.used_today).toBe(2);
    expect(detail.body.usage).toHaveLength(30);
    expect(detail.body.usage.at(-1).count).toBe(2);
    await api(`/admin/keys/${record.id}`, json('PATCH', { daily_limit: 3, name: 'renamed' }));
    const next = await api('/v1/resolve?query=M4gD1WSo5mA', withKey(key));
    expect(next.headers.get('RateLimit-Limit')).toBe('3');
    expect(next.headers.get('RateLimit-Remaining')).toBe('0');
    expect((await api('/v1/resolve?query=M4gD1WSo5mA', withKey(key))).status).toBe(429);
    expect((await apiJson(`/admin/keys/${record.id}`)).body.key.name).toBe('renamed');
  });

  it('answers 404 key.not_found for unknown ids', async () => {
    expect((await apiJson('/admin/keys/doesnotexist')).body.error.code).toBe('key.not_found');
    expect((await apiJson('/admin/keys/doesnotexist', json('PATCH', { active: false }))).status).toBe(404);
    expect((await apiJson('/admin/keys/doesnotexist', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('admin API: stats and logs', () => {
  it('aggregates the request log per hour, endpoint and key over a range', async () => {
    const logger = createLogger({ level: 'error', format: 'json', sink: () => {} });
    const store = createMetadataStore(env, { outbound: createOutbound({ upstreamOrigins: {}, timeoutMs: 1000, logger }), logger });
    const base = Date.parse('2026-03-01T10:00:00Z');
    const record = (n: number, minutes: number, status: number, endpoint: string, key_id: string | null) => ({
      request_id: `stats-${n}`, time: new Date(base + minutes * 60_000), endpoint, method: 'GET', key_id, client_ip: '1.1.1.1',
      status, error_code: status >= 400 ? 'x.y' : null, duration_ms: n * 10, query: null, colo: null, cache: null,
    });
    await store.appendLogs([
      record(1, 0, 200, '/v1/resolve', 'k-a'),
      record(2, 5, 200, '/v1/resolve', 'k-a'),
      record(3, 70, 404, '/v1/resolve', 'k-b'),
      record(4, 75, 500, '/v1/search', 'k-a'),
    ]);
    const range = `from=2026-03-01T10:00:00Z&to=2026-03-01T12:00:00Z`;
    const series = await apiJson(`/admin/stats/timeseries?granularity=hour&${range}`);
    expect(series.body.buckets.map((bucket: any) => [bucket.total, bucket.status_2xx, bucket.status_4xx, bucket.status_5xx])).toEqual([
      [2, 2, 0, 0],
      [2, 0, 1, 1],
    ]);
    expect(series.body.buckets[0].p95).toBe(20);
    const endpoints = await apiJson(`/admin/stats/endpoints?${range}`);
    expect(endpoints.body.items.map((item: any) => [item.endpoint, item.total])).toEqual([['/v1/resolve', 3], ['/v1/search', 1]]);
    const top = await apiJson(`/admin/stats/top-keys?${range}`);
    expect(top.body.items.map((item: any) => [item.key_id, item.total])).toEqual([['k-a', 3], ['k-b', 1]]);
    const logs = await apiJson(`/admin/logs?status=5xx&${range}`);
    expect(logs.body.items.map((item: any) => item.request_id)).toEqual(['stats-4']);
    const overview = await apiJson('/admin/stats/overview');
    expect(overview.body).toMatchObject({
      requests: { total: expect.any(Number), today: expect.any(Number), this_week: expect.any(Number) },
      keys: { total: expect.any(Number), active: expect.any(Number), expired: expect.any(Number) },
      error_rate: { current: expect.any(Number) },
      latency: expect.any(Object),
    });
    expect(overview.body.requests.total).toBeGreaterThanOrEqual(4);
  });

  it('answers a huge page or page size with 400 naming the field, on every list', async () => {
    for (const path of ['/admin/keys', '/admin/logs', '/admin/cache']) {
      for (const query of ['page=10000000000', 'page=99999999999999999999', 'page=1e308', 'page=100000&page_size=100', 'page_size=100000', 'page=-1']) {
        const answer = await apiJson(`${path}?${query}`);
        expect(answer.status, `${path}?${query}`).toBe(400);
        expect(answer.body.error.code).toBe('request.invalid');
        expect(answer.body.error.message).toMatch(/page/);
      }
    }
  });

  it('refuses a bad range or filter with 400', async () => {
    expect((await apiJson('/admin/stats/timeseries?granularity=minute')).status).toBe(400);
    expect((await apiJson('/admin/stats/timeseries?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z')).status).toBe(400);
    expect((await apiJson('/admin/logs?status=teapot')).body.error.message).toContain('status');
  });
});

describe('CORS for the dashboard', () => {
  it('answers the dashboard origin and nobody else', async () => {
    const allowed = await api('/admin/keys', { method: 'OPTIONS', headers: { Origin: 'http://dashboard.test', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-api-key' } });
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('http://dashboard.test');
    expect(allowed.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('x-api-key');
    const other = await api('/admin/keys', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' } });
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const get = await api('/admin/keys', { headers: { Origin: 'http://dashboard.test' } });
    expect(get.headers.get('Access-Control-Allow-Origin')).toBe('http://dashboard.test');
  });
});
