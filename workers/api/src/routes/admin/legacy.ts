import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { validate } from '../../middleware/validate';
import { sha256Hex } from '../../quota/key-gate';
import { istDay, istDayStart } from '../../quota/ist-calendar';
import { createKey } from './keys';

/** The original service's admin routes, kept so its scripts keep working. */
const CreateKeyLegacySchema = z.object({
  name: z.string().trim().min(1).max(200),
  daily_limit: z.coerce.number().int().positive().max(1_000_000_000).optional(),
  expiry_days: z.coerce.number().int().positive().max(36_500).optional(),
  tier: z.enum(['user', 'admin']).default('user'),
});

export const legacyAdminRoute = new Hono<AppEnv>()
  .post('/admin/create-key', validate('json', CreateKeyLegacySchema), async (c) => {
    const input = c.req.valid('json');
    const { key, record } = await createKey(c, { name: input.name, tier: input.tier, daily_limit: input.daily_limit, expires_in_days: input.expiry_days });
    return c.json(
      {
        api_key: key,
        key,
        id: record.id,
        name: record.name,
        daily_limit: record.daily_limit,
        created_at: record.created_at.toISOString(),
        expires_at: record.expires_at?.toISOString() ?? null,
      },
      201,
    );
  })
  .delete('/admin/delete-key/:key', async (c) => {
    const key = c.req.param('key').trim().toLowerCase();
    const store = c.get('store')();
    const record = await store.getKeyByHash(await sha256Hex(key));
    if (!record || !(await store.deleteKey(record.id))) throw new AppError('key.not_found', 'No such key.');
    await c.get('keyGate').push(record.key_hash, null);
    return c.json({ message: 'Key deleted', deleted: true, id: record.id });
  })
  .get('/admin/stats', async (c) => {
    const store = c.get('store')();
    const now = Date.now();
    // One query, and no latency ranking: these figures need counts only.
    const [keys, overview] = await Promise.all([
      store.countKeys(new Date(now)),
      store.logOverview({ counts: [{ from: new Date(istDayStart(istDay(now))), to: new Date(now + 1) }], summaries: [{ from: new Date(0), to: new Date(now + 1), percentiles: false }] }),
    ]);
    const total = overview.summaries[0]!;
    return c.json({
      total_keys: keys.total,
      active_keys: keys.active,
      expired_keys: keys.expired,
      revoked_keys: keys.revoked,
      total_requests: total.total,
      requests_today: overview.counts[0]!,
      error_rate: total.error_rate_5xx,
    });
  });
