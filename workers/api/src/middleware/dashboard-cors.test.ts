import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { dashboardCors } from './dashboard-cors';
import { handleError } from './error-handler';

const DASHBOARD = 'https://dash.example';

/** The middleware reads DASHBOARD_ORIGIN from the bindings itself (it runs before the config is parsed). */
function app() {
  const hono = new Hono<AppEnv>();
  hono.use(dashboardCors());
  hono.get('/admin/keys', (c) => c.json([]));
  const bindings = { DASHBOARD_ORIGIN: `${DASHBOARD},http://127.0.0.1:8788` };
  return { request: (path: string, init: RequestInit) => hono.request(path, init, bindings) };
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

  it('puts its headers on error answers, for the dashboard origin only', async () => {
    const app = new Hono<AppEnv>();
    app.use(dashboardCors());
    app.get('/admin/keys', () => {
      throw new AppError('store.unavailable', 'The metadata store is not answering.');
    });
    app.onError(handleError);
    const failed = await app.request('/admin/keys', { headers: { Origin: DASHBOARD } }, { DASHBOARD_ORIGIN: `${DASHBOARD}, not an origin` });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('Access-Control-Allow-Origin')).toBe(DASHBOARD);
    expect(failed.headers.get('Access-Control-Expose-Headers')).toContain('X-Error-Code');
    const other = await app.request('/admin/keys', { headers: { Origin: 'https://evil.example' } }, { DASHBOARD_ORIGIN: DASHBOARD });
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('lets the dashboard read a config.invalid from the whole app', async () => {
    const ctx = createExecutionContext();
    const badEnv = { ...env, DASHBOARD_ORIGIN: DASHBOARD, UPSTREAM_TIMEOUT_MS: 'soon' };
    const response = await createApp().fetch(new Request('http://api.test/admin/keys', { headers: { Origin: DASHBOARD } }), badEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(500);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(DASHBOARD);
    expect(((await response.json()) as any).error.code).toBe('config.invalid');
  });
});
