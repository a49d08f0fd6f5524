import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { originString } from '../../../core/src/settings';

/**
 * CORS for the admin dashboard's origin (DASHBOARD_ORIGIN) and nobody else's.
 * It runs first and reads its one setting itself, not through the parsed
 * config: every answer, a `config.invalid` or a store outage included,
 * carries the headers, so the dashboard shows the real error instead of
 * "API unreachable".
 */
const originsByEnv = new WeakMap<object, string[]>();

function dashboardOrigins(env: object): string[] {
  let origins = originsByEnv.get(env);
  if (!origins) {
    const raw = (env as Record<string, unknown>).DASHBOARD_ORIGIN;
    const entries = typeof raw === 'string' ? raw.split(',').map((entry) => entry.trim()).filter(Boolean) : [];
    // A bad entry is reported by the config check (config.invalid); here it only allows nothing.
    origins = entries.flatMap((entry) => {
      const parsed = originString.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
    originsByEnv.set(env, origins);
  }
  return origins;
}

const handler = cors({
  origin: (origin, c) => (dashboardOrigins(c.env as object).includes(origin) ? origin : null),
  allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['X-API-Key', 'Authorization', 'Content-Type'],
  exposeHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Request-Id', 'X-Client-Request-Id', 'X-Error-Code'],
  maxAge: 600,
});

export function dashboardCors() {
  return createMiddleware<AppEnv>(async function dashboardCors(c, next) {
    return handler(c, next);
  });
}
