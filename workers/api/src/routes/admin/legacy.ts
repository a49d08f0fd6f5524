import { isAppEndpoint } from '../../logging/endpoint-names';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { sha256Hex } from '../../../../core/src/hash';
import { istDay, istDayStart } from '../../quota/ist-calendar';
import { keyIdentity } from './key-view';
import { createKey } from './keys';
import { describe } from '../describe';

/**
 * The original service's admin routes (Probotsvip/Hai routes/admin.py), in its
 * exact answers so its scripts keep working; errors are `{"error": "…"}`
 * (app.ts gives these paths original-errors.ts). Unlike the original they
 * need an admin key, and `GET /admin/keys` stays ours (the original listed
 * every whole key to anyone who asked).
 */
export const LEGACY_ADMIN_PATHS = ['/admin/create-key', '/admin/delete-key/*', '/admin/stats'];

const CreateKeyLegacySchema = z.object({
  name: z.string().trim().min(1).max(200),
  daily_limit: z.coerce.number().int().positive().max(1_000_000_000).optional(),
  expiry_days: z.coerce.number().int().positive().max(36_500).optional(),
  tier: z.enum(['user', 'admin']).default('user'),
});

const KEY_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POPULAR_ENDPOINTS = 5;

export const legacyAdminRoute = new Hono<AppEnv>()
  .post('/admin/create-key', describe({ tag: 'admin', auth: 'admin', summary: 'The original service: create a key', description: 'Body {name, daily_limit?, expiry_days?, tier?}; answers {success, key_id: <the key>, message}. Errors are {"error": "<message>"}.', body: CreateKeyLegacySchema, errors: ['request.invalid'] }), async (c) => {
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || body.name === undefined || body.name === null || body.name === '') {
      throw new AppError('request.invalid', 'Key name is required');
    }
    const parsed = CreateKeyLegacySchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('request.invalid', `Invalid ${issue.path.join('.') || 'body'}: ${issue.message}.`);
    }
    const input = parsed.data;
    const { key, record } = await createKey(c, { name: input.name, tier: input.tier, daily_limit: input.daily_limit, expires_in_days: input.expiry_days });
    return c.json({
      success: true,
      key_id: key,
      message: `API key created: ${record.name}`,
      // Ours, after the original's three: the record's id names the key everywhere else (dashboard, logs).
      ...keyIdentity(record),
    });
  })
  .delete('/admin/delete-key/:key', describe({ tag: 'admin', auth: 'admin', summary: 'The original service: delete a key (by the key or its id)', description: 'Answers {success, message} or 404 {"error": "API key not found"}.', errors: ['key.not_found'] }), async (c) => {
    // The original took the key itself; the record id (what the dashboard shows) works too.
    const given = c.req.param('key').trim();
    const store = c.get('store')();
    const lower = given.toLowerCase();
    const record = KEY_SHAPE.test(lower) ? await store.getKeyByHash(await sha256Hex(lower)) : /^[A-Za-z0-9_-]{2,64}$/.test(given) ? await store.getKeyById(given) : null;
    if (!record || !(await store.deleteKey(record.id))) throw new AppError('key.not_found', 'API key not found');
    await c.get('keyGate').push(record.key_hash, null);
    c.get('logger').info('admin.key_deleted', { keyId: record.id });
    return c.json({ success: true, message: 'API key deleted successfully' });
  })
  .get('/admin/stats', describe({ tag: 'admin', auth: 'admin', summary: 'The original service: request statistics', description: '{total_requests, total_keys, active_keys, today_requests, error_rate, popular_endpoints: [{_id, count}]}' }), async (c) => {
    const store = c.get('store')();
    const now = Date.now();
    const all = { from: new Date(0), to: new Date(now + 1) };
    // The request figures in one query, without ranking every latency ever logged (this answer shows none).
    const [keys, overview, endpoints] = await Promise.all([
      store.countKeys(new Date(now)),
      store.logOverview({ counts: [{ from: new Date(istDayStart(istDay(now))), to: new Date(now + 1) }], summaries: [{ ...all, percentiles: false }] }),
      store.requestsByEndpoint({ ...all, limit: POPULAR_ENDPOINTS }),
    ]);
    const total = overview.summaries[0]!;
    const today = { total: overview.counts[0]! };
    return c.json({
      total_requests: total.total,
      total_keys: keys.total,
      active_keys: keys.active,
      // Since midnight India time, the quota's day (the original counted from UTC midnight).
      today_requests: today.total,
      // A percentage of every logged request answered 4xx or 5xx, to two places, as the original.
      error_rate: Math.round((total.error_rate_4xx + total.error_rate_5xx) * 10_000) / 100,
      popular_endpoints: endpoints.filter((endpoint) => isAppEndpoint(endpoint.endpoint)).map((endpoint) => ({ _id: endpoint.endpoint, count: endpoint.total })),
      // Ours, after the original's fields.
      expired_keys: keys.expired,
      revoked_keys: keys.revoked,
    });
  });
