import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { LogShipper } from '../logging/log-shipper';
import type { LogMessage } from '../logging/request-log-message';
import { clientIp } from './client-ip';

/** One per isolate: records of concurrent requests travel together. */
const shipper = new LogShipper();

/**
 * Logs every request off the request path: the record goes to LOG_QUEUE in
 * waitUntil, packed with the isolate's other records of the moment, and the
 * queue's consumer writes batches to the store. Never the key itself, only
 * its public id; the query text is kept, key parameters are not.
 * The dashboard's own reads (GET /admin/*), health checks and CORS preflights
 * are not logged, so they do not swamp the figures operators read.
 */
export function requestLog() {
  return createMiddleware<AppEnv>(async function requestLog(c, next) {
    const started = Date.now();
    await next();
    const method = c.req.method;
    if (method === 'OPTIONS' || (method === 'GET' && (c.req.path.startsWith('/admin/') || c.req.path === '/health'))) return;
    const message: LogMessage = {
      request_id: c.get('requestId'),
      time: new Date(started).toISOString(),
      endpoint: endpointOf(c.req.routePath, c.req.path),
      method,
      key_id: c.get('principal')?.keyId ?? c.get('refusedKeyId') ?? null,
      client_ip: clientIp(c).slice(0, 64),
      status: c.res.status,
      error_code: c.res.headers.get('X-Error-Code'),
      duration_ms: Math.max(0, Date.now() - started),
      query: c.req.query('query')?.slice(0, 500) ?? null,
      colo: (c.req.raw.cf?.colo as string | undefined) ?? null,
      cache: c.get('cacheOutcome') ?? null,
    };
    const queue = c.env.LOG_QUEUE;
    if (!queue) return c.get('logger').info('request', message);
    const logger = c.get('logger');
    const send = (records: LogMessage[]) =>
      queue.send({ records }, { contentType: 'json' }).then(
        () => undefined,
        (error: unknown) => logger.warn('log.enqueue_failed', { error, records: records.length }),
      );
    shipper.ship(message, queue, send, (work) => c.executionCtx.waitUntil(work));
  });
}

/**
 * The route pattern (`/stream/:token`, never the token itself); for a request
 * refused by a wildcard middleware before any route matched, its path.
 */
function endpointOf(routePath: string | undefined, path: string): string {
  if (routePath && !routePath.includes('*')) return routePath;
  if (path.startsWith('/stream/')) return '/stream/:token';
  return path.slice(0, 200);
}
