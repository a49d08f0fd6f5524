import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError, toAppError } from '../../../core/src/errors';
import { createLogger, type Logger } from '../../../core/src/logging/logger';
import { redactUrlPath } from '../../../core/src/logging/redact-url';
import { secretValuesOf } from '../../../core/src/settings';
import { limitIp } from './rate-limit';

/**
 * The one place an error becomes a response: `{"error":{"code","message"}}`
 * with the status from errors.ts. Unexpected errors are logged without their
 * stack and answered with a generic message.
 */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  const appError = toAppError(error);
  const logger = c.get('logger') ?? fallbackLogger(c);
  // The path may carry a key (`/admin/delete-key/<key>`, `/k/<key>/`): logged masked.
  const fields = { code: appError.code, status: appError.status, path: redactUrlPath(c.req.path), details: appError.logDetails };
  // AppError messages are written for clients, so they are safe to log; causes are summarised.
  if (appError.status >= 500) logger.error('request.failed', { ...fields, message: appError.message, cause: describeCause(error) });
  else logger.debug('request.rejected', fields);
  const headers = { ...appError.headers, 'X-Error-Code': appError.code };
  const shape = c.get('errorShape');
  if (shape) {
    const { status, body } = shape(appError);
    return c.json(body, status as 400, headers);
  }
  return c.json(appError.toBody(), appError.status as 400, headers);
}

export function handleNotFound(c: Context<AppEnv>): Response {
  return handleError(new AppError('route.not_found', `No route ${c.req.method} ${redactUrlPath(c.req.path)}; see /info.`), c);
}

/** A path no route serves counts against the client's IP like any other request without a key. */
export async function limitedNotFound(c: Context<AppEnv>): Promise<Response> {
  try {
    if (c.get('config')) await limitIp(c);
  } catch (error) {
    return handleError(error, c);
  }
  return handleNotFound(c);
}

/** Before the services middleware ran (a bad setting, say): still masks the Worker's secrets. */
function fallbackLogger(c: Context<AppEnv>): Logger {
  return createLogger({ level: 'info', format: 'json', secrets: secretValuesOf(c.env ?? {}) });
}

function describeCause(error: unknown): string | undefined {
  const cause = error instanceof AppError ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : cause === undefined ? undefined : String(cause);
}
