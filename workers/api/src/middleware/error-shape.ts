import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import type { AppError } from '../../../core/src/errors';

/**
 * The bot shapes answer errors in their family's own JSON (`{"status": "error", …}`),
 * key and rate-limit refusals included, which happen before any route runs. This
 * marks the request with its family's shape; the one error handler applies it.
 */
export type ErrorShape = (error: AppError) => { status: number; body: Record<string, unknown> };

export function errorShape(shape: ErrorShape) {
  return createMiddleware<AppEnv>(async function errorShape(c, next) {
    c.set('errorShape', shape);
    await next();
  });
}
