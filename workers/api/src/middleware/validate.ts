import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { AppError } from '../../../core/src/errors';

/** zod validation of a request part; a failure is a 400 `request.invalid` naming the field. */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.join('.') || target;
      throw new AppError('request.invalid', `Invalid ${field}: ${issue.message}.`);
    }
  });
}
