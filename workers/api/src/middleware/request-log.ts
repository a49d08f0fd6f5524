import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { redact } from '../../../core/src/logging/logger';
import { redactText } from '../../../core/src/logging/redact-url';
import { endpointOf } from '../logging/endpoint-names';
import { secretValuesOf } from '../../../core/src/settings';
import { LogShipper } from '../logging/log-shipper';
import { shipRecords } from '../logging/ship-records';
import type { LogMessage } from '../logging/request-log-message';
import { clientIp } from './client-ip';

/** One per isolate: records of concurrent requests travel together. */
const shipper = new LogShipper();

/**
 * Logs every request off the request path: the record goes to LOG_QUEUE in
 * waitUntil, packed with the isolate's other records of the moment, and the
 * queue's consumer writes batches to the store. Never the key itself, only
 * its public id; paths and query text are logged with credentials masked.
 * The dashboard's own successful reads (GET /admin/*), health checks and CORS
 * preflights are not logged, so they do not swamp the figures operators
 * read; a refused admin request is logged like any other. With
 * LOG_SAMPLE_ONE_IN = N, one request in N is logged, counted N times.
 */
export function requestLog() {
  return createMiddleware<AppEnv>(async function requestLog(c, next) {
    const started = Date.now();
    await next();
    const method = c.req.method;
    const status = c.res.status;
    if (method === 'OPTIONS' || c.req.path === '/health') return;
    if (method === 'GET' && c.req.path.startsWith('/admin/') && status < 400) return;
    // Sampled uniformly, errors too: one kept record stands for `weight` requests, so counts stay
    // estimates of the whole and the kept durations a fair sample of it.
    const weight = c.get('config').LOG_SAMPLE_ONE_IN;
    if (weight > 1 && Math.random() * weight >= 1) return;
    const query = c.req.query('query');
    // Keys look like UUIDs; the bootstrap key and other secrets may look like anything.
    const secrets = secretValuesOf(c.env);
    // Built within LogRecordSchema's limits by hand, not parsed with it: the queue's consumer checks each
    // record on its own (recordsOfBody), so a bad one never spoils a packed message, and a zod parse here
    // was a tenth of a cache miss's Worker CPU (issue 22).
    const errorCode = c.res.headers.get('X-Error-Code');
    const colo = c.req.raw.cf?.colo;
    const message: LogMessage = {
      request_id: c.get('requestId'),
      time: new Date(started).toISOString(),
      // A route pattern or UNMATCHED_ENDPOINT, never text a client chose: nothing in it to redact.
      endpoint: endpointOf(c.req.routePath, c.req.path).slice(0, 200),
      method: method.slice(0, 16),
      key_id: c.get('principal')?.keyId ?? c.get('refusedKeyId') ?? null,
      client_ip: clientIp(c).slice(0, 64),
      status,
      error_code: errorCode === null ? null : errorCode.slice(0, 100),
      duration_ms: Math.max(0, Date.now() - started),
      query: query === undefined ? null : redact(redactText(query.slice(0, 500)), secrets),
      colo: typeof colo === 'string' ? colo.slice(0, 16) : null,
      cache: c.get('cacheOutcome') ?? null,
      ...(weight > 1 ? { weight } : {}),
    };
    const logger = c.get('logger');
    const queue = c.env.LOG_QUEUE;
    if (!queue) return logger.info('request', message);
    const send = (records: LogMessage[]) => shipRecords(records, { queue, store: c.get('store'), logger });
    shipper.ship(message, queue, send, (work) => c.executionCtx.waitUntil(work));
  });
}
