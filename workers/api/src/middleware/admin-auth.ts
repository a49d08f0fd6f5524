import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { authenticate } from './api-key';

/**
 * The admin API takes ADMIN_API_KEY (the bootstrap credential) or an
 * admin-tier key. Admin reads do not use up the key's quota.
 */
export function adminAuth() {
  return createMiddleware<AppEnv>(async function adminAuth(c, next) {
    const { principal } = await authenticate(c, { consume: false });
    if (principal.tier !== 'admin') throw new AppError('key.forbidden', 'The admin API needs an admin key.');
    c.set('principal', principal);
    await next();
  });
}
