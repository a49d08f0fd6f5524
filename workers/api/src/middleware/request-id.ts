import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { setAnswerHeader } from './answer-headers';

/**
 * Every request gets an id of the service's own making (a UUID), in
 * `X-Request-Id` and the request log. A client's own `X-Request-Id` is never
 * used as the id: it could be too long for the log, or reuse another
 * request's id and make that record vanish as a duplicate. A well-formed one
 * (up to 64 letters, digits, `-_.:`) is echoed back as `X-Client-Request-Id`
 * so the client can still match its calls. Hono's own requestId middleware
 * adopts the client's header, which is exactly what must not happen here.
 */
const CLIENT_ID_SHAPE = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId() {
  return createMiddleware<AppEnv>(async function requestId(c, next) {
    const id = crypto.randomUUID();
    c.set('requestId', id);
    setAnswerHeader(c, 'X-Request-Id', id);
    const clientId = c.req.header('X-Request-Id')?.trim();
    if (clientId && CLIENT_ID_SHAPE.test(clientId)) setAnswerHeader(c, 'X-Client-Request-Id', clientId);
    await next();
  });
}
