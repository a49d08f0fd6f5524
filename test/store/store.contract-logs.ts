import { beforeEach, describe, expect, it } from 'vitest';
import type { StoreFactory } from './store.contract';
import type { LogRecord, MetadataStore } from '../../workers/core/src/store/types';

/**
 * Request-log behaviour for the contract suite. The dataset is small enough
 * to count by hand; every expected number below is worked out from it, so
 * both backends must give exactly these.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const JAN1 = Date.UTC(2030, 0, 1);
const JAN2 = JAN1 + DAY;
const JAN3 = JAN1 + 2 * DAY;

function log(request_id: string, time: number, endpoint: string, key_id: string | null, status: number, duration_ms: number, cache: 'hit' | 'miss' | null): LogRecord {
  return {
    request_id,
    time: new Date(time),
    endpoint,
    method: 'GET',
    key_id,
    client_ip: '203.0.113.7',
    status,
    error_code: status >= 400 ? 'some.error' : null,
    duration_ms,
    query: endpoint === '/v1/search' ? 'lofi beats' : null,
    colo: 'BOM',
    cache,
  };
}

//                 id     time                        endpoint        key    status  ms    cache
const DATASET: LogRecord[] = [
  log('r00', JAN1 - 1, '/v1/resolve', 'kA', 200, 7, 'hit'), // before the range
  log('r01', JAN1 + 10 * MINUTE, '/v1/resolve', 'kA', 200, 120, 'hit'),
  log('r02', JAN1 + 20 * MINUTE, '/v1/resolve', 'kA', 200, 80, 'miss'),
  log('r03', JAN1 + 50 * MINUTE, '/v1/search', 'kB', 404, 30, null),
  log('r04', JAN1 + 65 * MINUTE, '/v1/resolve', 'kA', 500, 900, 'miss'),
  log('r05', JAN1 + 90 * MINUTE, '/v1/stream', null, 206, 2500, null),
  log('r06', JAN1 + 105 * MINUTE, '/v1/resolve', 'kB', 429, 5, null),
  log('r07', JAN1 + 5 * HOUR, '/youtube', 'kA', 200, 200, 'hit'),
  log('r08', JAN2 - 1, '/v1/search', 'kC', 302, 15, null),
  log('r09', JAN2, '/v1/resolve', 'kA', 200, 60, 'hit'),
  log('r10', JAN2 + 19 * HOUR, '/v1/resolve', 'kB', 503, 3000, 'miss'),
  log('r11', JAN3, '/v1/resolve', 'kA', 200, 9, 'hit'), // at `to`: outside [from, to)
];
const RANGE = { from: new Date(JAN1), to: new Date(JAN3) };

const zeros = { status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0 };
const figures = (p50: number | null, p95: number | null, hits: number, misses: number) => ({
  latency_p50_ms: p50,
  latency_p95_ms: p95,
  cache_hits: hits,
  cache_misses: misses,
});

export function describeLogContract(makeStore: StoreFactory) {
  describe('request logs', () => {
    let store: MetadataStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('appends idempotently by request id', async () => {
      expect(await store.appendLogs(DATASET.slice(0, 3))).toEqual({ inserted: 3, insertedIds: ['r00', 'r01', 'r02'] });
      // A retried batch plus one new record, and a duplicate inside the batch: only the new row is reported.
      expect(await store.appendLogs([...DATASET.slice(0, 4), DATASET[3]!])).toEqual({ inserted: 1, insertedIds: ['r03'] });
      expect(await store.appendLogs([])).toEqual({ inserted: 0, insertedIds: [] });
      const page = await store.listLogs({ page: 1, pageSize: 50 });
      expect(page.total).toBe(4);
      expect(page.items).toEqual([DATASET[3], DATASET[2], DATASET[1], DATASET[0]]);
      await expect(store.appendLogs([{ ...DATASET[5]!, status: 'ok' as never }])).rejects.toMatchObject({ code: 'request.invalid' });
    });

    it('rounds durations and clips long text instead of refusing a record', async () => {
      await store.appendLogs([{ ...DATASET[5]!, duration_ms: 1.5, query: 'q'.repeat(5000) }]);
      const [stored] = (await store.listLogs({ page: 1, pageSize: 1 })).items;
      expect(stored).toMatchObject({ request_id: 'r05', duration_ms: 2, query: 'q'.repeat(2000) });
    });

    it('inserts each record once when the same batch is appended twice at the same time', async () => {
      const results = await Promise.all([store.appendLogs(DATASET), store.appendLogs(DATASET)]);
      expect(results[0]!.inserted + results[1]!.inserted).toBe(DATASET.length);
      // Each row is reported new by exactly one of the two.
      expect([...results[0]!.insertedIds, ...results[1]!.insertedIds].sort()).toEqual(DATASET.map((record) => record.request_id).sort());
      expect((await store.listLogs({ page: 1, pageSize: 1 })).total).toBe(DATASET.length);
    });

    describe('aggregates', () => {
      beforeEach(async () => {
        expect(await store.appendLogs(DATASET)).toMatchObject({ inserted: DATASET.length });
      });

      it('counts requests per hour, with empty hours as zeros', async () => {
        const buckets = await store.requestsOverTime({ granularity: 'hour', from: new Date(JAN1), to: new Date(JAN1 + 3 * HOUR) });
        expect(buckets).toEqual([
          // 30 80 120 → rank 2 and rank 3
          { bucket_start: new Date(JAN1), total: 3, ...zeros, status_2xx: 2, status_4xx: 1, ...figures(80, 120, 1, 1) },
          // 5 900 2500 → rank 2 and rank 3
          { bucket_start: new Date(JAN1 + HOUR), total: 3, ...zeros, status_2xx: 1, status_4xx: 1, status_5xx: 1, ...figures(900, 2500, 0, 1) },
          { bucket_start: new Date(JAN1 + 2 * HOUR), total: 0, ...zeros, ...figures(null, null, 0, 0) },
        ]);
      });

      it('counts requests per UTC day, per IST day and per key', async () => {
        expect(await store.requestsOverTime({ granularity: 'day', ...RANGE })).toEqual([
          // 5 15 30 80 120 200 900 2500 → rank 4 and rank 8
          { bucket_start: new Date(JAN1), total: 8, status_2xx: 4, status_3xx: 1, status_4xx: 2, status_5xx: 1, ...figures(80, 2500, 2, 2) },
          // 60 3000 → rank 1 and rank 2
          { bucket_start: new Date(JAN2), total: 2, ...zeros, status_2xx: 1, status_5xx: 1, ...figures(60, 3000, 1, 1) },
        ]);
        // IST days start at 18:30 UTC the day before. r00 and r11 fall in the first and last
        // of these days but outside the range, so they count nowhere, percentiles included.
        const ist = await store.requestsOverTime({ granularity: 'day', ...RANGE, utcOffsetMinutes: 330 });
        expect(ist.map(({ bucket_start, total, latency_p50_ms, latency_p95_ms, cache_hits, cache_misses }) => [
          bucket_start.toISOString(), total, latency_p50_ms, latency_p95_ms, cache_hits, cache_misses,
        ])).toEqual([
          ['2029-12-31T18:30:00.000Z', 7, 120, 2500, 2, 2], // 5 30 80 120 200 900 2500 → rank 4 and rank 7
          ['2030-01-01T18:30:00.000Z', 2, 15, 60, 1, 0],
          ['2030-01-02T18:30:00.000Z', 1, 3000, 3000, 0, 1],
        ]);
        const perKey = await store.requestsOverTime({ granularity: 'day', ...RANGE, key_id: 'kA' });
        expect(perKey.map((bucket) => [bucket.total, bucket.status_2xx, bucket.status_5xx, bucket.latency_p50_ms, bucket.latency_p95_ms, bucket.cache_hits, bucket.cache_misses])).toEqual([
          [4, 3, 1, 120, 900, 2, 2], // 80 120 200 900 → rank 2 and rank 4
          [1, 1, 0, 60, 60, 1, 0],
        ]);
        expect(await store.requestsOverTime({ granularity: 'hour', from: new Date(JAN1), to: new Date(JAN1) })).toEqual([]);
        await expect(
          store.requestsOverTime({ granularity: 'hour', from: new Date(JAN1), to: new Date(JAN1 + 5000 * DAY) }),
        ).rejects.toMatchObject({ code: 'request.invalid' });
      });

      it('takes each bucket\'s percentiles at its own nearest ranks, as a summary of the bucket does', async () => {
        // 20 requests in one hour, durations 10…200 appended out of order: rank 10 and rank 19.
        const hour = JAN3 + DAY;
        await store.appendLogs(
          Array.from({ length: 20 }, (_, index) => log(`p${index}`, hour + index * MINUTE, '/v1/resolve', 'kA', 200, ((index * 7) % 20) * 10 + 10, index % 4 === 0 ? 'hit' : null)),
        );
        const [bucket] = await store.requestsOverTime({ granularity: 'hour', from: new Date(hour), to: new Date(hour + HOUR) });
        expect(bucket).toEqual({ bucket_start: new Date(hour), total: 20, ...zeros, status_2xx: 20, ...figures(100, 190, 5, 0) });

        // Every bucket agrees with logSummary over the part of its span inside the range.
        const from = JAN1 + 30 * MINUTE;
        for (const granularity of ['hour', 'day'] as const) {
          const step = granularity === 'hour' ? HOUR : DAY;
          for (const item of await store.requestsOverTime({ granularity, from: new Date(from), to: new Date(hour + HOUR), utcOffsetMinutes: 330 })) {
            const start = item.bucket_start.getTime();
            const summary = await store.logSummary({ from: new Date(Math.max(start, from)), to: new Date(Math.min(start + step, hour + HOUR)) });
            const { error_rate_4xx: _a, error_rate_5xx: _b, cache_hit_ratio: _c, ...same } = summary;
            expect({ bucket_start: item.bucket_start, ...same }).toEqual(item);
          }
        }
      });

      it('summarises status classes, error rates, nearest-rank latency and cache hits', async () => {
        expect(await store.logSummary(RANGE)).toEqual({
          total: 10,
          status_2xx: 5,
          status_3xx: 1,
          status_4xx: 2,
          status_5xx: 2,
          error_rate_4xx: 0.2,
          error_rate_5xx: 0.2,
          // sorted: 5 15 30 60 80 120 200 900 2500 3000 → rank 5 and rank 10
          latency_p50_ms: 80,
          latency_p95_ms: 3000,
          cache_hits: 3,
          cache_misses: 3,
          cache_hit_ratio: 0.5,
        });
        // kA: 60 80 120 200 900 → rank 3 and rank 5
        expect(await store.logSummary({ ...RANGE, key_id: 'kA' })).toMatchObject({
          total: 5,
          status_2xx: 4,
          status_5xx: 1,
          error_rate_5xx: 0.2,
          latency_p50_ms: 120,
          latency_p95_ms: 900,
          cache_hit_ratio: 0.6,
        });
        expect(await store.logSummary({ from: new Date(JAN3 + DAY), to: new Date(JAN3 + 2 * DAY) })).toEqual({
          total: 0,
          ...zeros,
          error_rate_4xx: 0,
          error_rate_5xx: 0,
          latency_p50_ms: null,
          latency_p95_ms: null,
          cache_hits: 0,
          cache_misses: 0,
          cache_hit_ratio: null,
        });
      });

      it('ranks endpoints and keys', async () => {
        expect(await store.requestsByEndpoint(RANGE)).toEqual([
          { endpoint: '/v1/resolve', total: 6, status_4xx: 1, status_5xx: 2, avg_duration_ms: 694 },
          { endpoint: '/v1/search', total: 2, status_4xx: 1, status_5xx: 0, avg_duration_ms: 23 },
          { endpoint: '/v1/stream', total: 1, status_4xx: 0, status_5xx: 0, avg_duration_ms: 2500 },
          { endpoint: '/youtube', total: 1, status_4xx: 0, status_5xx: 0, avg_duration_ms: 200 },
        ]);
        expect((await store.requestsByEndpoint({ ...RANGE, limit: 1 })).map((row) => row.endpoint)).toEqual(['/v1/resolve']);

        const hash = (seed: string) => seed.padEnd(64, '0');
        await store.createKey({ id: 'kA', key_hash: hash('aa'), name: 'Alpha', tier: 'user', daily_limit: 10, expires_at: null });
        await store.createKey({ id: 'kB', key_hash: hash('bb'), name: 'Beta', tier: 'admin', daily_limit: 10, expires_at: null });
        expect(await store.topKeys({ ...RANGE, limit: 5 })).toEqual([
          { key_id: 'kA', name: 'Alpha', total: 5, status_4xx: 0, status_5xx: 1 },
          { key_id: 'kB', name: 'Beta', total: 3, status_4xx: 2, status_5xx: 1 },
          { key_id: 'kC', name: null, total: 1, status_4xx: 0, status_5xx: 0 },
        ]);
        expect((await store.topKeys({ ...RANGE, limit: 1 })).map((row) => row.key_id)).toEqual(['kA']);
      });

      it('pages and filters the log newest first', async () => {
        const ids = async (query: Partial<Parameters<MetadataStore['listLogs']>[0]>) => {
          const page = await store.listLogs({ page: 1, pageSize: 50, ...query });
          return [page.total, page.items.map((item) => item.request_id)];
        };
        expect(await ids({ pageSize: 3 })).toEqual([12, ['r11', 'r10', 'r09']]);
        expect(await ids({ page: 2, pageSize: 5 })).toEqual([12, ['r06', 'r05', 'r04', 'r03', 'r02']]);
        expect(await ids({ status: '5xx' })).toEqual([2, ['r10', 'r04']]);
        expect(await ids({ status: 404 })).toEqual([1, ['r03']]);
        expect(await ids({ key_id: 'kA', endpoint: '/v1/resolve', from: new Date(JAN1), to: new Date(JAN3) })).toEqual([
          4,
          ['r09', 'r04', 'r02', 'r01'],
        ]);
        expect(await ids({ from: new Date(JAN1 + HOUR), to: new Date(JAN1 + 2 * HOUR) })).toEqual([3, ['r06', 'r05', 'r04']]);
      });

      it('answers the overview in one query: the counts and summaries of its ranges, as logSummary gives them', async () => {
        const ranges = [RANGE, { from: new Date(JAN1), to: new Date(JAN1 + 2 * HOUR) }, { from: new Date(JAN3), to: new Date(JAN3 + DAY) }, { from: new Date(0), to: new Date(JAN3 + DAY) }];
        const overview = await store.logOverview({ counts: ranges, summaries: [...ranges, { ...RANGE, percentiles: false }] });
        const summaries = await Promise.all(ranges.map((range) => store.logSummary(range)));
        expect(overview.counts).toEqual([10, 6, 1, 12]);
        expect(overview.counts).toEqual(summaries.map((summary) => summary.total));
        expect(overview.summaries.slice(0, 4)).toEqual(summaries);
        expect(overview.summaries[4]).toEqual({ ...summaries[0], latency_p50_ms: null, latency_p95_ms: null });
        expect(await store.logOverview({ counts: [], summaries: [] })).toEqual({ counts: [], summaries: [] });
      });

      it('counts a sampled record as the requests it stands for, and ranks latencies over the records kept', async () => {
        // LOG_SAMPLE_ONE_IN = 100: two kept records stand for 100 requests each; one logged unsampled.
        const day = JAN3 + 2 * DAY;
        const sampled = [
          { ...log('w1', day + HOUR, '/v1/resolve', 'kS', 200, 50, 'hit'), weight: 100 },
          { ...log('w2', day + 2 * HOUR, '/v1/resolve', 'kS', 404, 10, null), weight: 100 },
          log('w3', day + 3 * HOUR, '/v1/stream', 'kT', 500, 900, 'miss'),
        ];
        expect(await store.appendLogs(sampled)).toMatchObject({ inserted: 3 });
        const range = { from: new Date(day), to: new Date(day + DAY) };
        // Kept durations 10 50 900 → rank 2 and rank 3.
        const summary = { total: 201, status_2xx: 100, status_3xx: 0, status_4xx: 100, status_5xx: 1, cache_hits: 100, cache_misses: 1, latency_p50_ms: 50, latency_p95_ms: 900 };
        expect(await store.logSummary(range)).toEqual({ ...summary, error_rate_4xx: 100 / 201, error_rate_5xx: 1 / 201, cache_hit_ratio: 100 / 101 });
        expect(await store.logSummary({ ...range, key_id: 'kS' })).toMatchObject({ total: 200, status_4xx: 100, latency_p50_ms: 10, latency_p95_ms: 50 });
        expect(await store.requestsOverTime({ granularity: 'day', ...range })).toEqual([{ bucket_start: new Date(day), ...summary }]);
        expect(await store.requestsByEndpoint(range)).toEqual([
          { endpoint: '/v1/resolve', total: 200, status_4xx: 100, status_5xx: 0, avg_duration_ms: 30 },
          { endpoint: '/v1/stream', total: 1, status_4xx: 0, status_5xx: 1, avg_duration_ms: 900 },
        ]);
        expect(await store.topKeys({ ...range, limit: 5 })).toEqual([
          { key_id: 'kS', name: null, total: 200, status_4xx: 100, status_5xx: 0 },
          { key_id: 'kT', name: null, total: 1, status_4xx: 0, status_5xx: 1 },
        ]);
        const overview = await store.logOverview({ counts: [range], summaries: [range, { ...range, percentiles: false }] });
        expect(overview.counts).toEqual([201]);
        expect(overview.summaries[0]).toEqual(await store.logSummary(range));
        expect(overview.summaries[1]).toMatchObject({ total: 201, cache_hits: 100, latency_p50_ms: null });
        // The log itself lists the rows kept, each with what it stands for.
        const page = await store.listLogs({ page: 1, pageSize: 50, from: range.from, to: range.to });
        expect(page.total).toBe(3);
        expect(page.items).toEqual([...sampled].reverse());
      });

      it('deletes logs older than the retention cut-off', async () => {
        expect(await store.deleteLogsBefore(new Date(JAN2))).toBe(9);
        expect(await store.deleteLogsBefore(new Date(JAN2))).toBe(0);
        const rest = await store.listLogs({ page: 1, pageSize: 50 });
        expect(rest.items.map((item) => item.request_id)).toEqual(['r11', 'r10', 'r09']);
      });
    });
  });
}
