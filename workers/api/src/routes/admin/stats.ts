import { isAppEndpoint } from '../../logging/endpoint-names';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { validate } from '../../middleware/validate';
import { IST_OFFSET_MS, istDay, istDayStart } from '../../quota/ist-calendar';
import { planBuckets } from '../../../../core/src/store/shared';
import type { LogSummary } from '../../../../core/src/store/types';
import { describe } from '../describe';

/** Dashboard figures, computed by the store's aggregates over the request log. */
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const RangeSchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

const TimeseriesSchema = RangeSchema.extend({ granularity: z.enum(['hour', 'day']).default('hour') });

function rangeOf(query: { from?: string; to?: string }, defaultSpanMs: number) {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - defaultSpanMs);
  if (from >= to) throw new AppError('request.invalid', 'Invalid from: it must come before to.');
  if (to.getTime() - from.getTime() > 400 * DAY) throw new AppError('request.invalid', 'Invalid from: the range may span at most 400 days.');
  return { from, to };
}

export const statsRoute = new Hono<AppEnv>()
  .get('/admin/stats/overview', describe({ tag: 'admin', auth: 'admin', summary: 'Today, this week and all time: requests, errors, latency, cache', errors: ['store.unavailable'] }), async (c) => {
    const store = c.get('store')();
    const now = Date.now();
    const todayStart = istDayStart(istDay(now));
    const range = (from: number, to: number) => ({ from: new Date(from), to: new Date(to) });
    // One store query for every figure of the page (and one for the keys).
    const [overview, keys] = await Promise.all([
      store.logOverview({
        counts: [range(0, now + 1), range(todayStart, now + 1), range(todayStart - DAY, todayStart), range(now - 7 * DAY, now + 1), range(now - 14 * DAY, now - 7 * DAY)],
        summaries: [range(now - DAY, now + 1), range(now - 2 * DAY, now - DAY)],
      }),
      store.countKeys(new Date(now)),
    ]);
    const [total, today, yesterday, thisWeek, lastWeek] = overview.counts as [number, number, number, number, number];
    const [recent, previous] = overview.summaries as [LogSummary, LogSummary];
    return c.json({
      requests: { total, today, yesterday, this_week: thisWeek, last_week: lastWeek },
      keys,
      error_rate: { current: recent.error_rate_5xx, previous: previous.error_rate_5xx, client_current: recent.error_rate_4xx },
      cache: { hits: recent.cache_hits, misses: recent.cache_misses, hit_ratio: recent.cache_hit_ratio, previous_hit_ratio: previous.cache_hit_ratio },
      latency: { p50: recent.latency_p50_ms, p95: recent.latency_p95_ms, previous_p95: previous.latency_p95_ms },
      // Above 1, every figure here is an estimate from one logged request in N (LOG_SAMPLE_ONE_IN).
      logging: { sample_one_in: c.get('config').LOG_SAMPLE_ONE_IN },
    });
  })
  .get('/admin/stats/timeseries', describe({ tag: 'admin', auth: 'admin', summary: 'Requests per hour or day, with p50/p95 and cache figures', errors: ['request.invalid', 'store.unavailable'] }), validate('query', TimeseriesSchema), async (c) => {
    const query = c.req.valid('query');
    const hourly = query.granularity === 'hour';
    const { from, to } = rangeOf(query, hourly ? DAY : 30 * DAY);
    // Days follow the quota's IST calendar; hours stay on whole UTC hours.
    const bucketQuery = { granularity: query.granularity, from, to, utcOffsetMinutes: hourly ? 0 : IST_OFFSET_MS / 60_000 };
    // Refused before the store query, which ranks every request of the range.
    if (planBuckets(bucketQuery).starts.length > 400) throw new AppError('request.invalid', 'Invalid granularity: too many buckets for this range.');
    const buckets = await c.get('store')().requestsOverTime(bucketQuery);
    return c.json({
      granularity: query.granularity,
      from: from.toISOString(),
      to: to.toISOString(),
      buckets: buckets.map((bucket) => ({
        start: bucket.bucket_start.toISOString(),
        total: bucket.total,
        status_2xx: bucket.status_2xx,
        status_3xx: bucket.status_3xx,
        status_4xx: bucket.status_4xx,
        status_5xx: bucket.status_5xx,
        p50: bucket.latency_p50_ms,
        p95: bucket.latency_p95_ms,
        cache_hits: bucket.cache_hits,
        cache_misses: bucket.cache_misses,
      })),
    });
  })
  .get('/admin/stats/endpoints', describe({ tag: 'admin', auth: 'admin', summary: 'Requests by endpoint', errors: ['request.invalid', 'store.unavailable'] }), validate('query', RangeSchema), async (c) => {
    const query = c.req.valid('query');
    // Rows logged before endpoint names were the app's own may hold a client's path: left out.
    const items = (await c.get('store')().requestsByEndpoint({ ...rangeOf(query, 30 * DAY), limit: query.limit })).filter((item) => isAppEndpoint(item.endpoint));
    return c.json({ items: items.map((item) => ({ ...item, errors: item.status_5xx })) });
  })
  .get('/admin/stats/top-keys', describe({ tag: 'admin', auth: 'admin', summary: 'The busiest keys', errors: ['request.invalid', 'store.unavailable'] }), validate('query', RangeSchema), async (c) => {
    const query = c.req.valid('query');
    const items = await c.get('store')().topKeys({ ...rangeOf(query, 30 * DAY), limit: query.limit });
    return c.json({ items });
  });
