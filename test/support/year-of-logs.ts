/**
 * Fills api_logs with a year of synthetic requests, inside D1 itself (a
 * recursive CTE, 100,000 rows a statement) so a million rows take seconds:
 * evenly spaced back from `endMs`, a mix of endpoints, keys, statuses,
 * cache outcomes and durations (0–2999 ms).
 */
const YEAR_MS = 365 * 86_400_000;
const CHUNK = 100_000;

export async function fillYearOfLogs(db: D1Database, options: { rows: number; endMs: number; prefix?: string }): Promise<void> {
  const { rows, endMs } = options;
  const prefix = options.prefix ?? 'year-';
  const stepMs = Math.max(1, Math.floor(YEAR_MS / rows));
  for (let start = 0; start < rows; start += CHUNK) {
    const end = Math.min(rows, start + CHUNK);
    await db
      .prepare(
        `INSERT INTO api_logs (request_id, time, endpoint, method, key_id, client_ip, status, error_code, duration_ms, query, colo, cache)
         WITH RECURSIVE seq(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?2)
         SELECT ?3 || n, ?4 - n * ?5,
           CASE n % 4 WHEN 0 THEN '/v1/search' WHEN 1 THEN '/stream/:token' ELSE '/v1/resolve' END, 'GET',
           CASE WHEN n % 5 = 0 THEN NULL ELSE 'key' || (n % 13) END, '203.0.113.1',
           CASE WHEN n % 97 = 0 THEN 500 WHEN n % 11 = 0 THEN 404 WHEN n % 17 = 0 THEN 206 ELSE 200 END,
           NULL, (n * 7919) % 3000, NULL, 'BOM',
           CASE n % 3 WHEN 0 THEN 'hit' WHEN 1 THEN 'miss' ELSE NULL END
         FROM seq`,
      )
      .bind(start, end, prefix, endMs, stepMs)
      .run();
  }
}
