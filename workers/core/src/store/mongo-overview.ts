import { z } from 'zod';
import type { Document, MongoDataApi } from './mongo-data-api';
import { CACHE_GROUP, COLLECTIONS, LOG_WEIGHT, STATUS_CLASS_GROUP, StatusClassRowSchema } from './mongo-shared';
import { buildSummary, checkRange, nearestRank, parseStored } from './shared';
import type { MetadataStore, TimeRange } from './types';

/**
 * The overview on Mongo in one aggregate: a `$facet` per range over the
 * documents of the ranges' span (the `{time: 1}` index serves the first
 * `$match`). A summary's percentiles rank a `$sample` of at most
 * PERCENTILE_SAMPLE durations, so a busy range never sorts more than that;
 * below it the sample is the whole range and the figures are exact. Counts
 * add each document's weight (LOG_SAMPLE_ONE_IN); percentiles rank the ones kept.
 */
export const PERCENTILE_SAMPLE = 10_000;
const counter = z.number().int().nonnegative();
const CountRowSchema = z.object({ n: counter });
const SummaryRowSchema = StatusClassRowSchema.extend({ cache_hits: counter, cache_misses: counter });
const DurationsRowSchema = z.object({ durations: z.array(z.number()) });

const inRange = (range: TimeRange): Document => ({ time: { $gte: range.from, $lt: range.to } });

export function mongoOverviewOps(api: MongoDataApi): Pick<MetadataStore, 'logOverview'> {
  return {
    async logOverview(query) {
      const ranges = [...query.counts, ...query.summaries];
      for (const range of ranges) checkRange(range);
      if (ranges.length === 0) return { counts: [], summaries: [] };
      const span = { from: new Date(Math.min(...ranges.map((range) => range.from.getTime()))), to: new Date(Math.max(...ranges.map((range) => range.to.getTime()))) };
      const facets: Document = {};
      query.counts.forEach((range, index) => {
        facets[`c${index}`] = [{ $match: inRange(range) }, { $group: { _id: null, n: { $sum: LOG_WEIGHT } } }];
      });
      query.summaries.forEach((range, index) => {
        facets[`s${index}`] = [
          { $match: inRange(range) },
          {
            $group: {
              _id: null,
              total: { $sum: LOG_WEIGHT },
              ...STATUS_CLASS_GROUP,
              ...CACHE_GROUP,
            },
          },
        ];
        if (range.percentiles !== false) facets[`p${index}`] = [
          { $match: inRange(range) },
          { $sample: { size: PERCENTILE_SAMPLE } },
          { $group: { _id: null, durations: { $push: '$duration_ms' } } },
        ];
      });
      const [row = {}] = await api.aggregate(COLLECTIONS.logs, [{ $match: inRange(span) }, { $facet: facets }]);
      const first = (name: string) => (Array.isArray(row[name]) ? (row[name] as Document[])[0] : undefined);
      const counts = query.counts.map((_range, index) => {
        const found = first(`c${index}`);
        return found ? parseStored(CountRowSchema, found, 'overview count').n : 0;
      });
      const summaries = query.summaries.map((range, index) => {
        const found = first(`s${index}`);
        const figures = found
          ? parseStored(SummaryRowSchema, found, 'overview summary')
          : { total: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, cache_hits: 0, cache_misses: 0 };
        const sampled = first(`p${index}`);
        const durations = sampled ? parseStored(DurationsRowSchema, sampled, 'overview durations').durations.sort((a, b) => a - b) : [];
        const at = (percent: number) => (durations.length === 0 ? null : (durations[nearestRank(percent, durations.length) - 1] ?? null));
        // buildSummary keeps latencies null when the range is empty; without percentiles they stay null too.
        return { ...buildSummary(figures, at(50), at(95)), ...(range.percentiles === false ? { latency_p50_ms: null, latency_p95_ms: null } : {}) };
      });
      return { counts, summaries };
    },
  };
}
