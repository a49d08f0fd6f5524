import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { validate } from '../../middleware/validate';
import { revokeLinksBefore } from '../../stream-links/revocation-cutoff';
import { describe } from '../describe';

/** `POST /admin/stream-links/revoke-before {before}`: every stream link minted before `before` stops working. */
const RevokeBeforeSchema = z.object({ before: z.iso.datetime({ offset: true }) }).strict();

export const streamLinksRoute = new Hono<AppEnv>().post('/admin/stream-links/revoke-before', describe({ tag: 'admin', auth: 'admin', summary: 'Emergency: refuse every stream link minted before a time', description: 'Stops links of every key, keyless and bootstrap-key links included.', errors: ['request.invalid'] }), validate('json', RevokeBeforeSchema), async (c) => {
  const before = Date.parse(c.req.valid('json').before);
  if (before > Date.now() + 60_000) throw new AppError('request.invalid', 'Invalid before: it may not be in the future.');
  const namespace = c.env.STREAM_LINKS;
  if (!namespace) throw new AppError('config.invalid', 'Binding STREAM_LINKS (the StreamLinkRevocations Durable Object) is missing.');
  const cutoff = await revokeLinksBefore(namespace, Math.floor(before / 1000));
  c.get('logger').warn('admin.stream_links_revoked', { before: new Date(cutoff * 1000).toISOString() });
  return c.json({ revoked_before: new Date(cutoff * 1000).toISOString() });
});
