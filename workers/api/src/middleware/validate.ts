import type { ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import type { ZodType } from 'zod';
import { AppError } from '../../../core/src/errors';

/**
 * zod validation of a request part; a failure is a 400 `request.invalid` naming the field.
 * hono-openapi's validator also records the schema, so /openapi.json describes exactly
 * what is validated.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return validator(target, schema, (result) => {
    if (!result.success) {
      const issue = result.error[0]!;
      const field = (issue.path ?? []).map((part) => (typeof part === 'object' ? String(part.key) : String(part))).join('.') || target;
      throw new AppError('request.invalid', `Invalid ${field}: ${issue.message}.`);
    }
  });
}
