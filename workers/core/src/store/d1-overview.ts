import { CACHE_SUMS, count, d1, statusClassSums, type Row } from './d1-rows';
import { buildSummary, checkRange } from './shared';
import type { MetadataStore, TimeRange } from './types';

/**
 * The overview on D1 in one statement. The ranges travel as JSON arrays
 * (json_each), since D1 caps a compound SELECT at a few terms. A count is a
 * range scan of the time index; a ranked summary sorts the durations of its
 * own range only (nearest rank as integer maths, (p·n + 99) / 100), so a
 * year of logs costs what the last days hold, plus the index scans. Counts
 * add each row's weight (LOG_SAMPLE_ONE_IN); percentiles rank the rows kept.
 */
const SUMS = `${statusClassSums()}, ${CACHE_SUMS}`;
const rangesOf = (param: number) => `SELECT CAST(key AS INTEGER) AS idx, json_extract(value, '$[0]') AS lo, json_extract(value, '$[1]') AS hi FROM json_each(?${param})`;

const OVERVIEW_SQL = `
  WITH counted AS (${rangesOf(1)}), summed AS (${rangesOf(2)}), plain AS (${rangesOf(3)}),
  ranked AS (
    SELECT s.idx, l.status, l.cache, l.duration_ms, l.weight,
      ROW_NUMBER() OVER (PARTITION BY s.idx ORDER BY l.duration_ms) AS rn, COUNT(*) OVER (PARTITION BY s.idx) AS n
    FROM summed s JOIN api_logs l ON l.time >= s.lo AND l.time < s.hi
  )
  SELECT 'count' AS kind, idx, (SELECT COALESCE(SUM(weight), 0) FROM api_logs WHERE time >= counted.lo AND time < counted.hi) AS total,
    NULL AS status_2xx, NULL AS status_3xx, NULL AS status_4xx, NULL AS status_5xx, NULL AS cache_hits, NULL AS cache_misses, NULL AS p50, NULL AS p95
  FROM counted
  UNION ALL
  SELECT 'summary', idx, SUM(weight), ${SUMS},
    MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN duration_ms END), MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN duration_ms END)
  FROM ranked GROUP BY idx
  UNION ALL
  SELECT 'plain', p.idx, SUM(l.weight), ${SUMS}, NULL, NULL
  FROM plain p JOIN api_logs l ON l.time >= p.lo AND l.time < p.hi GROUP BY p.idx`;

const json = (ranges: TimeRange[]) => JSON.stringify(ranges.map((range) => [range.from.getTime(), range.to.getTime()]));

export function d1OverviewOps(db: D1Database): Pick<MetadataStore, 'logOverview'> {
  return {
    async logOverview(query) {
      for (const range of [...query.counts, ...query.summaries]) checkRange(range);
      if (query.counts.length + query.summaries.length === 0) return { counts: [], summaries: [] };
      // Summaries without percentiles skip the ranking; their place in the answer is kept.
      const rankedAt = query.summaries.flatMap((range, index) => (range.percentiles === false ? [] : [index]));
      const plainAt = query.summaries.flatMap((range, index) => (range.percentiles === false ? [index] : []));
      const { results } = await d1('logOverview', () =>
        db
          .prepare(OVERVIEW_SQL)
          .bind(json(query.counts), json(rankedAt.map((index) => query.summaries[index]!)), json(plainAt.map((index) => query.summaries[index]!)))
          .all<Row>(),
      );
      const counts = query.counts.map(() => 0);
      const summaries = query.summaries.map(() => buildSummary(emptyCounts(), null, null));
      for (const row of results) {
        const index = Number(row.idx);
        if (row.kind === 'count') {
          counts[index] = count(row.total);
          continue;
        }
        const at = row.kind === 'summary' ? rankedAt[index]! : plainAt[index]!;
        summaries[at] = buildSummary(
          {
            total: count(row.total),
            status_2xx: count(row.status_2xx),
            status_3xx: count(row.status_3xx),
            status_4xx: count(row.status_4xx),
            status_5xx: count(row.status_5xx),
            cache_hits: count(row.cache_hits),
            cache_misses: count(row.cache_misses),
          },
          typeof row.p50 === 'number' ? row.p50 : null,
          typeof row.p95 === 'number' ? row.p95 : null,
        );
      }
      return { counts, summaries };
    },
  };
}

function emptyCounts() {
  return { total: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, cache_hits: 0, cache_misses: 0 };
}
