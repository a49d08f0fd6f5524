import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { validate } from '../../middleware/validate';
import { sha256Hex } from '../../../../core/src/hash';
import { OFFSET_MESSAGE, pagingShape, withinOffset } from './paging';
import type { ApiKeyPatch } from '../../../../core/src/store/types';
import { toKeyView } from './key-view';
import { issueProvenKey, proofSecretsOf } from '../../quota/key-proof';
import { describe } from '../describe';

/** Key lifecycle: create (the key is shown once), list, read with daily usage, change, delete. */
const DAY_MS = 24 * 3600_000;

export const CreateKeySchema = z.object({
  name: z.string().trim().min(1).max(200),
  tier: z.enum(['user', 'admin']).default('user'),
  daily_limit: z.number().int().positive().max(1_000_000_000).optional(),
  expires_in_days: z.number().int().positive().max(36_500).nullable().optional(),
});

const ListKeysSchema = z.object({
  ...pagingShape(20),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
  search: z.string().trim().max(200).optional(),
  status: z.enum(['all', 'active', 'expired', 'revoked']).default('all'),
}).refine(withinOffset, OFFSET_MESSAGE);

const PatchKeySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    daily_limit: z.number().int().positive().max(1_000_000_000),
    expires_at: z.iso.datetime({ offset: true }).nullable(),
    expires_in_days: z.number().int().positive().max(36_500).nullable(),
    active: z.boolean(),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one field to change');

const IdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/, 'not a key id') });

/** Shared with the original service's `POST /admin/create-key`. */
export async function createKey(c: Context<AppEnv>, input: z.infer<typeof CreateKeySchema>) {
  const config = c.get('config');
  // Proven under the current secret: a key never issued is refused at no cost (quota/key-proof.ts).
  const key = await issueProvenKey(proofSecretsOf(config)[0]!);
  const now = new Date();
  const days = input.expires_in_days === undefined ? config.KEY_DEFAULT_EXPIRY_DAYS : input.expires_in_days;
  const record = await c.get('store')().createKey({
    key_hash: await sha256Hex(key),
    name: input.name,
    tier: input.tier,
    daily_limit: input.daily_limit ?? (input.tier === 'admin' ? config.ADMIN_DAILY_LIMIT : config.USER_DAILY_LIMIT),
    expires_at: days === null ? null : new Date(now.getTime() + days * DAY_MS),
    created_at: now,
  });
  await c.get('keyGate').push(record.key_hash, record);
  c.get('logger').info('admin.key_created', { keyId: record.id, tier: record.tier });
  return { key, record };
}

export const keysRoute = new Hono<AppEnv>()
  .post('/admin/keys', describe({ tag: 'admin', auth: 'admin', summary: 'Create an API key (the key is shown once)', success: { status: 201, description: '{key, record}' }, errors: ['request.invalid', 'store.unavailable'] }), validate('json', CreateKeySchema), async (c) => {
    const { key, record } = await createKey(c, c.req.valid('json'));
    return c.json({ key, record: await toKeyView(record, c.get('keyGate'), new Date()) }, 201);
  })
  .get('/admin/keys', describe({ tag: 'admin', auth: 'admin', summary: 'List keys, paged', errors: ['request.invalid', 'store.unavailable'] }), validate('query', ListKeysSchema), async (c) => {
    const query = c.req.valid('query');
    const now = new Date();
    const page = await c.get('store')().listKeys({ page: query.page, pageSize: query.page_size, search: query.search, status: query.status, now });
    const items = await Promise.all(page.items.map((record) => toKeyView(record, c.get('keyGate'), now)));
    // `keys` repeats the items for clients of the original service.
    return c.json({ items, keys: items, total: page.total, page: query.page, page_size: query.page_size });
  })
  .get('/admin/keys/:id', describe({ tag: 'admin', auth: 'admin', summary: 'One key and its last 30 days of usage', errors: ['request.invalid', 'key.not_found'] }), validate('param', IdParam), async (c) => {
    const record = await c.get('store')().getKeyById(c.req.valid('param').id);
    if (!record) throw new AppError('key.not_found', 'No key has this id.');
    const now = new Date();
    const usage = await c.get('keyGate').usage(record.key_hash, now.getTime(), 30);
    return c.json({ key: await toKeyView(record, c.get('keyGate'), now), usage });
  })
  .patch('/admin/keys/:id', describe({ tag: 'admin', auth: 'admin', summary: 'Edit a key: name, limit, expiry, revoke or reactivate', errors: ['request.invalid', 'key.not_found'] }), validate('param', IdParam), validate('json', PatchKeySchema), async (c) => {
    const body = c.req.valid('json');
    const patch: ApiKeyPatch = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.daily_limit !== undefined) patch.daily_limit = body.daily_limit;
    if (body.active !== undefined) patch.active = body.active;
    if (body.expires_at !== undefined) patch.expires_at = body.expires_at === null ? null : new Date(body.expires_at);
    if (body.expires_in_days !== undefined) patch.expires_at = body.expires_in_days === null ? null : new Date(Date.now() + body.expires_in_days * DAY_MS);
    const record = await c.get('store')().updateKey(c.req.valid('param').id, patch);
    if (!record) throw new AppError('key.not_found', 'No key has this id.');
    await c.get('keyGate').push(record.key_hash, record);
    c.get('logger').info('admin.key_updated', { keyId: record.id, fields: Object.keys(patch) });
    return c.json(await toKeyView(record, c.get('keyGate'), new Date()));
  })
  .delete('/admin/keys/:id', describe({ tag: 'admin', auth: 'admin', summary: 'Delete a key', errors: ['request.invalid', 'key.not_found'] }), validate('param', IdParam), async (c) => {
    const store = c.get('store')();
    const record = await store.getKeyById(c.req.valid('param').id);
    if (!record || !(await store.deleteKey(record.id))) throw new AppError('key.not_found', 'No key has this id.');
    await c.get('keyGate').push(record.key_hash, null);
    c.get('logger').info('admin.key_deleted', { keyId: record.id });
    return c.json({ deleted: true, id: record.id });
  });
