import type { AppError } from '../../../../core/src/errors';
import type { ErrorShape } from '../../middleware/error-shape';

/**
 * Errors as the original Flask service answered them: `{"error": "<message>"}`.
 * Its key check answered 401 to every key failure (missing, invalid, expired,
 * over the day's limit) with these exact messages; Retry-After still comes
 * with the error's headers where it applies. Bad input is 400, anything not
 * playable 404, our own failures 500.
 */
const KEY_MESSAGES: Partial<Record<AppError['code'], string>> = {
  'key.missing': 'Missing API key',
  'key.invalid': 'Invalid API key',
  'key.expired': 'API key has expired',
  'key.revoked': 'API key has been deactivated',
  'quota.exceeded': 'Daily limit exceeded',
};

export const originalErrors: ErrorShape = (error) => {
  const keyMessage = KEY_MESSAGES[error.code];
  if (keyMessage) return { status: 401, body: { error: keyMessage } };
  return { status: originalStatus(error), body: { error: error.message } };
};

function originalStatus(error: AppError): number {
  if (error.status >= 500) return 500;
  if (error.code.startsWith('query.') || error.code === 'request.invalid') return 400;
  // The per-IP limit (429) and the admin routes' own refusals (403 key.forbidden, 404 key.not_found) keep theirs.
  if (error.code === 'rate.limited' || error.code === 'key.forbidden' || error.code === 'key.not_found' || error.code === 'route.not_found') return error.status;
  return 404;
}
