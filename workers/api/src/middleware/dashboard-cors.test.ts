import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { loadConfig } from '../config';
import { dashboardCors } from './dashboard-cors';

const DASHBOARD = 'https://dash.example';

function app() {
  const hono = new Hono<AppEnv>();
  hono.use(async (c, next) => {
    c.set('config', loadConfig({ STREAM_SIGNING_KEY: 'unit-test-signing-key-0123', DASHBOARD_ORIGIN: `${DASHBOARD},http://127.0.0.1:8788` }));
    await next();
  });
  hono.use(dashboardCors());
  hono.get('/admin/keys', (c) => c.json([]));
  return hono;
}

describe('dashboardCors', () => {
  it('answers the dashboard’s preflight with the key headers it sends and the quota headers it reads', async () => {
    const preflight = await app().request('/admin/keys', {
      method: 'OPTIONS',
      headers: { Origin: DASHBOARD, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'X-API-Key, Content-Type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe(DASHBOARD);
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('PATCH');
    expect(preflight.headers.get('Access-Control-Allow-Headers')).toContain('X-API-Key');
    const answer = await app().request('/admin/keys', { headers: { Origin: DASHBOARD } });
    expect(answer.headers.get('Access-Control-Expose-Headers')).toContain('RateLimit-Remaining');
  });

  it('gives any other origin no CORS headers, so browsers keep its pages out', async () => {
    const answer = await app().request('/admin/keys', { headers: { Origin: 'https://evil.example' } });
    expect(answer.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
