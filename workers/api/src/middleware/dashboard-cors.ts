import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../config';
import type { AppEnv } from '../env';

/**
 * CORS for the admin dashboard's origin (DASHBOARD_ORIGIN) and nobody else's.
 * Only a request with an Origin header is a CORS request, so only such a
 * request goes through Hono's cors handler (made once per config, not per
 * request): its header set after the route makes Hono build the answer's
 * Response once more and copy its headers. Other requests only get
 * `Vary: Origin`. Either way `c.res` is touched before the route, so the
 * headers middleware set before it (X-Request-Id, RateLimit-*) also reach a
 * Response a route returns as is (the stream proxies).
 */
const handlers = new WeakMap<Config, ReturnType<typeof cors>>();

function handlerFor(config: Config): ReturnType<typeof cors> {
  let handler = handlers.get(config);
  if (!handler) {
    const allowed = config.DASHBOARD_ORIGIN;
    handler = cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['X-API-Key', 'Authorization', 'Content-Type'],
      exposeHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Request-Id', 'X-Client-Request-Id', 'X-Error-Code'],
      maxAge: 600,
    });
    handlers.set(config, handler);
  }
  return handler;
}

export function dashboardCors() {
  return createMiddleware<AppEnv>(async function dashboardCors(c, next) {
    if (c.req.header('Origin') !== undefined) return handlerFor(c.get('config'))(c, next);
    c.res.headers.set('Vary', 'Origin');
    await next();
  });
}
