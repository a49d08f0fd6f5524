import { Hono } from 'hono';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { ClientOverridesSchema } from '../../../../core/src/youtube/client-overrides';
import { forgetStoredClientOverrides, type StoredClientOverrides } from '../../../../core/src/youtube/client-table';
import { validate } from '../../middleware/validate';
import { clientTableReader, clientTableStore } from '../../youtube-clients/client-table-reader';
import { clientTableView } from '../../youtube-clients/client-table-view';
import { describe } from '../describe';

/**
 * The YouTube client table without a deploy (issue 18 §3): `GET` the effective table,
 * `PUT` an overrides object (`{"TV":{"clientVersion":"5.20260707"}}`) stored durably and in
 * effect in every isolate of both Workers within a minute, `DELETE` to go back to the built-in
 * table and YOUTUBE_CLIENT_OVERRIDES.
 */
const PATH = '/admin/youtube/clients';

function namespaceOf(c: Context<AppEnv>) {
  const namespace = c.env.CLIENT_TABLE;
  if (!namespace) throw new AppError('config.invalid', 'Binding CLIENT_TABLE (the ClientTableStore Durable Object) is missing.');
  return namespace;
}

async function view(c: Context<AppEnv>, stored?: StoredClientOverrides | null) {
  const store = clientTableStore(namespaceOf(c));
  const [current, history] = await Promise.all([stored === undefined ? store.current() : Promise.resolve(stored), store.history()]);
  const config = c.get('config');
  return clientTableView(config.YOUTUBE_CLIENT_OVERRIDES, current, history, config.YOUTUBE_CLIENTS);
}

/** Who changed it, for the history: the admin key's id (`admin` for ADMIN_API_KEY, as in the request log). */
const changedBy = (c: Context<AppEnv>) => c.get('principal')?.keyId ?? 'admin';

export const youtubeClientsRoute = new Hono<AppEnv>()
  .get(PATH, describe({ tag: 'admin', auth: 'admin', summary: 'The YouTube client table in effect', description: 'Each client’s context, version and user agent after YOUTUBE_CLIENT_OVERRIDES and the stored overrides, which fields were overridden, by whom and when, and the last changes.', errors: ['config.invalid'] }), async (c) => c.json(await view(c)))
  .put(
    PATH,
    describe({ tag: 'admin', auth: 'admin', summary: 'Override client fields (versions, user agents, context)', description: 'The body is one object keyed by client name, each value the fields to replace, e.g. {"TV":{"clientVersion":"5.20260707","userAgent":"…"}}; it replaces the overrides stored before. In effect in every isolate of both Workers within 60 s.', errors: ['request.invalid', 'config.invalid'] }),
    validate('json', ClientOverridesSchema),
    async (c) => {
      const overrides = c.req.valid('json');
      const namespace = namespaceOf(c);
      const stored = await clientTableStore(namespace).put(overrides, changedBy(c));
      forgetStoredClientOverrides(clientTableReader(namespace)!, stored);
      c.get('logger').warn('admin.youtube_clients_overridden', { clients: Object.keys(overrides), by: stored.changedBy });
      return c.json(await view(c, stored));
    },
  )
  .delete(PATH, describe({ tag: 'admin', auth: 'admin', summary: 'Drop the stored client overrides', description: 'Back to the built-in table with YOUTUBE_CLIENT_OVERRIDES, in every isolate within 60 s.', errors: ['config.invalid'] }), async (c) => {
    const namespace = namespaceOf(c);
    const removed = await clientTableStore(namespace).clear(changedBy(c));
    forgetStoredClientOverrides(clientTableReader(namespace)!, null);
    c.get('logger').warn('admin.youtube_clients_reset', { had_overrides: removed !== null });
    return c.json(await view(c, null));
  });
