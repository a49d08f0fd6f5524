import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { originString } from '../../../core/src/settings';
import { setAnswerHeader } from './answer-headers';

/**
 * CORS for the admin dashboard's origin (DASHBOARD_ORIGIN) and nobody else's.
 *
 * It runs first and reads its one setting itself, not through the parsed
 * config: every answer, a `config.invalid` or a store outage included,
 * carries the headers, so the dashboard shows the real error instead of
 * "API unreachable".
 *
 * Only a request with an Origin header is a CORS request, so only such a
 * request goes through Hono's cors handler (made once per env, not per
 * request); others only get `Vary: Origin`, set as every answer's headers are
 * (answer-headers.ts), so it also reaches a Response a route returns as is.
 */
const handlers = new WeakMap<object, ReturnType<typeof cors>>();

function dashboardOrigins(env: object): string[] {
  const raw = (env as Record<string, unknown>).DASHBOARD_ORIGIN;
  const entries = typeof raw === 'string' ? raw.split(',').map((entry) => entry.trim()).filter(Boolean) : [];
  // A bad entry is reported by the config check (config.invalid); here it only allows nothing.
  return entries.flatMap((entry) => {
    const parsed = originString.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

function handlerFor(env: object): ReturnType<typeof cors> {
  let handler = handlers.get(env);
  if (!handler) {
    const allowed = dashboardOrigins(env);
    handler = cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['X-API-Key', 'Authorization', 'Content-Type'],
      exposeHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Request-Id', 'X-Client-Request-Id', 'X-Error-Code'],
      maxAge: 600,
    });
    handlers.set(env, handler);
  }
  return handler;
}

export function dashboardCors() {
  return createMiddleware<AppEnv>(async function dashboardCors(c, next) {
    if (c.req.header('Origin') !== undefined) return handlerFor(c.env as object)(c, next);
    setAnswerHeader(c, 'Vary', 'Origin');
    await next();
  });
}
