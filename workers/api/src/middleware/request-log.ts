import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { redact } from '../../../core/src/logging/logger';
import { redactText } from '../../../core/src/logging/redact-url';
import { endpointOf } from '../logging/endpoint-names';
import { secretValuesOf } from '../../../core/src/settings';
import { LogShipper } from '../logging/log-shipper';
import { shipRecords } from '../logging/ship-records';
import { LogMessageSchema, type LogMessage } from '../logging/request-log-message';
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
 * read; a refused admin request is logged like any other.
 */
export function requestLog() {
  return createMiddleware<AppEnv>(async function requestLog(c, next) {
    const started = Date.now();
    await next();
    const method = c.req.method;
    const status = c.res.status;
    if (method === 'OPTIONS' || c.req.path === '/health') return;
    if (method === 'GET' && c.req.path.startsWith('/admin/') && status < 400) return;
    const query = c.req.query('query');
    // Keys look like UUIDs; the bootstrap key and other secrets may look like anything.
    const secrets = secretValuesOf(c.env);
    const candidate = {
      request_id: c.get('requestId'),
      time: new Date(started).toISOString(),
      endpoint: redact(endpointOf(c.req.routePath, c.req.path), secrets),
      method,
      key_id: c.get('principal')?.keyId ?? c.get('refusedKeyId') ?? null,
      client_ip: clientIp(c).slice(0, 64),
      status,
      error_code: c.res.headers.get('X-Error-Code'),
      duration_ms: Math.max(0, Date.now() - started),
      query: query === undefined ? null : redact(redactText(query.slice(0, 500)), secrets),
      colo: (c.req.raw.cf?.colo as string | undefined) ?? null,
      cache: c.get('cacheOutcome') ?? null,
    };
    const logger = c.get('logger');
    // Checked here, one record at a time, so a bad one never spoils a packed message.
    const parsed = LogMessageSchema.safeParse(candidate);
    if (!parsed.success) return logger.warn('log.record_invalid', { field: parsed.error.issues[0]?.path.join('.') });
    const message: LogMessage = parsed.data;
    const queue = c.env.LOG_QUEUE;
    if (!queue) return logger.info('request', message);
    const send = (records: LogMessage[]) => shipRecords(records, { queue, store: c.get('store'), logger });
    shipper.ship(message, queue, send, (work) => c.executionCtx.waitUntil(work));
  });
}
