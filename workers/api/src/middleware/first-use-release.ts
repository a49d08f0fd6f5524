import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/**
 * A stream link's first request counts against the key (routes/stream.ts
 * `verifiedClaims`); when it then fails on our side (5xx), the unit goes
 * back and the link's next request is the first again. For every route that
 * serves a link: /stream, /file and the bot shapes' downloads.
 */
export function releaseFailedFirstUse() {
  return createMiddleware<AppEnv>(async function releaseFailedFirstUse(c, next) {
    await next();
    const release = c.get('releaseFirstUse');
    if (release && c.res.status >= 500) c.executionCtx.waitUntil(release());
  });
}
