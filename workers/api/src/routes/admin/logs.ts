import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { validate } from '../../middleware/validate';
import { OFFSET_MESSAGE, pagingShape, withinOffset } from './paging';
import { CACHE_STATUSES } from '../../../../core/src/store/types';
import { describe } from '../describe';

/** The request log and the Telegram cache, paged and filtered. */
const LogsQuerySchema = z.object({
  ...pagingShape(50),
  key_id: z.string().max(64).optional(),
  endpoint: z.string().max(200).optional(),
  status: z
    .string()
    .regex(/^([1-5]xx|[1-5]\d\d)$/, 'a status such as 429 or a class such as 4xx')
    .transform((value) => (/^\d+$/.test(value) ? Number(value) : (value as '1xx' | '2xx' | '3xx' | '4xx' | '5xx')))
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
}).refine(withinOffset, OFFSET_MESSAGE);

const CacheQuerySchema = z.object({
  ...pagingShape(50),
  status: z.enum(CACHE_STATUSES).optional(),
}).refine(withinOffset, OFFSET_MESSAGE);

export const logsRoute = new Hono<AppEnv>()
  .get('/admin/logs', describe({ tag: 'admin', auth: 'admin', summary: 'Request logs, newest first, paged and filtered', errors: ['request.invalid', 'store.unavailable'] }), validate('query', LogsQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const page = await c.get('store')().listLogs({
      page: query.page,
      pageSize: query.page_size,
      key_id: query.key_id,
      endpoint: query.endpoint,
      status: query.status,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    });
    return c.json({
      items: page.items.map((record) => ({ ...record, time: record.time.toISOString() })),
      total: page.total,
      page: query.page,
      page_size: query.page_size,
    });
  })
  .get('/admin/cache', describe({ tag: 'admin', auth: 'admin', summary: 'The Telegram cache\'s entries, paged', errors: ['request.invalid', 'store.unavailable'] }), validate('query', CacheQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const store = c.get('store')();
    const [page, stats] = await Promise.all([store.listCacheEntries({ page: query.page, pageSize: query.page_size, status: query.status }), store.cacheStats()]);
    return c.json({ items: page.items, total: page.total, page: query.page, page_size: query.page_size, stats });
  });
