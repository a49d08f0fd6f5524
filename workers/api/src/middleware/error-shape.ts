import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import type { AppError } from '../../../core/src/errors';

/**
 * The error form of a compatibility shape: bots written for another API parse
 * that API's errors (`{"error": "<message>"}`, its own statuses), so a route
 * family names how its errors look, and handleError — still the one place an
 * error becomes a response — renders them so. Set before the key check, so
 * that key failures take the family's form too.
 */
export interface ShapedError {
  status: number;
  body: unknown;
}

export type ErrorRenderer = (error: AppError) => ShapedError;

export function errorShape(render: ErrorRenderer) {
  return createMiddleware<AppEnv>(async function errorShape(c, next) {
    c.set('errorRenderer', render);
    await next();
  });
}
