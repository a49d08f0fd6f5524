import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import type { LogMessage } from '../workers/api/src/logging/request-log-message';
import { createD1Store } from '../workers/core/src/store/d1-store';
import { apiJson, TEST_ADMIN_KEY } from './support/api';
import { fakeLimiter } from './support/fake-limiter';

/**
 * No free log writes: every route without a key limiter counts per IP
 * (404s, /info, /openapi.json, /health), an unknown path is logged under one
 * fixed name whatever it was, and the endpoint stats show the app's routes only.
 */
const bindings = env as unknown as { DB: D1Database };

function recordingApi(extraEnv: Record<string, unknown> = {}) {
  const shipped: LogMessage[] = [];
  const apiEnv = { ...bindings, ...env, LOG_QUEUE: { send: async (body: { records: LogMessage[] }) => void shipped.push(...body.records) }, ...extraEnv };
  const app = createApp();
  const call = async (path: string, ip = '192.0.2.55', headers: Record<string, string> = {}) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`http://api.test${path}`, { headers: { 'CF-Connecting-IP': ip, ...headers } }), apiEnv, ctx);
    await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return response;
  };
  return { shipped, call };
}

describe('routes without a key limiter', () => {
  it('count 404s, /info, /openapi.json and /health against the client IP', async () => {
    for (const path of ['/no/such/route', '/info', '/openapi.json', '/health']) {
      const limiter = fakeLimiter(2);
      const { call } = recordingApi({ IP_RATE_LIMITER: limiter });
      const statuses = [];
      for (let index = 0; index < 3; index++) statuses.push((await call(path)).status);
      expect(statuses.slice(2), path).toEqual([429]);
      expect(limiter.counts.get('192.0.2.55'), path).toBe(3);
    }
  });

  it('log every unknown path under one fixed endpoint name, never the path a client made up', async () => {
    const { shipped, call } = recordingApi();
    const junk = ['/wp-admin/setup.php', `/${'a'.repeat(190)}`, '/v1/made-up-route', '/song/x/y/z'];
    for (const path of junk) expect((await call(path, '192.0.2.56')).status).toBeGreaterThanOrEqual(400);
    await call('/v1/made-up-route', '192.0.2.57', { 'X-API-Key': 'none' });
    const endpoints = shipped.map((record) => record.endpoint);
    expect(new Set(endpoints)).toEqual(new Set(['(unmatched)']));
    // A route the app serves keeps its pattern, also when a middleware refused it.
    await call('/song/abc', '192.0.2.58', { 'X-API-Key': 'none' });
    expect(shipped.at(-1)?.endpoint).toBe('/song/:id');
  });

  it('keep the endpoint stats to the routes the app serves', async () => {
    const store = createD1Store(bindings.DB);
    const time = new Date();
    const row = (endpoint: string, index: number) => ({ request_id: `junk-${crypto.randomUUID()}-${index}`, time, endpoint, method: 'GET', key_id: null, client_ip: '192.0.2.9', status: 404, error_code: 'route.not_found', duration_ms: 1, query: null, colo: null, cache: null });
    await store.appendLogs([...Array.from({ length: 30 }, (_, index) => row('/attacker/string/of/their/choice', index)), row('/info', 99)]);
    const { body } = await apiJson('/admin/stats/endpoints?limit=50', { headers: { 'X-API-Key': TEST_ADMIN_KEY } });
    const names = body.items.map((item: { endpoint: string }) => item.endpoint);
    expect(names).toContain('/info');
    expect(names).not.toContain('/attacker/string/of/their/choice');
  });
});
