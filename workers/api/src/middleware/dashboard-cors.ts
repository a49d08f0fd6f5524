import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/** CORS for the admin dashboard's origin (DASHBOARD_ORIGIN) and nobody else's. */
export function dashboardCors() {
  return createMiddleware<AppEnv>(async function dashboardCors(c, next) {
    const allowed = c.get('config').DASHBOARD_ORIGIN;
    const handler = cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['X-API-Key', 'Authorization', 'Content-Type'],
      exposeHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Request-Id', 'X-Client-Request-Id', 'X-Error-Code'],
      maxAge: 600,
    });
    return handler(c, next);
  });
}
