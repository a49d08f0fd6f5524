import { CACHE_SUMS, count, d1, logFromRow, statusClassSums, type Row } from './d1-rows';
import {
  buildSummary,
  checkRange,
  fillBuckets,
  nearestRank,
  paging,
  parseInput,
  planBuckets,
  statusBounds,
  type BucketFigures,
} from './shared';
import { LogRecordSchema, type LogRecord, type MetadataStore } from './types';

type LogOps = Pick<
  MetadataStore,
  'appendLogs' | 'requestsOverTime' | 'logSummary' | 'requestsByEndpoint' | 'topKeys' | 'listLogs' | 'deleteLogsBefore'
>;

/** Statements per D1 batch (one transaction each); retries are safe since inserts ignore known request ids. */
const INSERT_CHUNK = 100;
/** Rows per retention delete, so that one statement stays well inside D1's time limit. */
const DELETE_CHUNK = 5_000;

function statusClasses(row: Row | undefined) {
  return {
    status_2xx: count(row?.status_2xx),
    status_3xx: count(row?.status_3xx),
    status_4xx: count(row?.status_4xx),
    status_5xx: count(row?.status_5xx),
  };
}

export function d1LogOps(db: D1Database): LogOps {
  return {
    async appendLogs(batch) {
      const records = batch.map((record) => parseInput(LogRecordSchema, record, 'log record'));
      const insertedIds: string[] = [];
      for (let start = 0; start < records.length; start += INSERT_CHUNK) {
        const chunk = records.slice(start, start + INSERT_CHUNK);
        const statements = chunk.map((record) =>
          db
            .prepare(
              `INSERT OR IGNORE INTO api_logs
                 (request_id, time, endpoint, method, key_id, client_ip, status, error_code, duration_ms, query, colo, cache, weight)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .bind(...logParams(record)),
        );
        const results = await d1('appendLogs', () => db.batch(statements));
        // One statement per record, so each one's change count says whether its row is new.
        results.forEach((result, index) => {
          if ((result.meta.changes ?? 0) > 0) insertedIds.push(chunk[index]!.request_id);
        });
      }
      return { inserted: insertedIds.length, insertedIds };
    },

    async requestsOverTime(query) {
      const plan = planBuckets(query);
      if (plan.starts.length === 0) return [];
      const keyFilter = query.key_id === undefined ? '' : 'AND key_id = ?5';
      const params: unknown[] = [plan.offsetMs, plan.sizeMs, query.from.getTime(), query.to.getTime()];
      if (query.key_id !== undefined) params.push(query.key_id);
      // `%` is integer remainder in SQLite, the same truncating maths as $mod and shared.bucketStart.
      // Durations are ranked within their bucket, so one pass yields every bucket's percentiles.
      const { results } = await d1('requestsOverTime', () =>
        db
          .prepare(
            `SELECT bucket, SUM(weight) AS total, ${statusClassSums()}, ${CACHE_SUMS},
               MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN duration_ms END) AS p50,
               MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN duration_ms END) AS p95
             FROM (
               SELECT bucket, status, cache, duration_ms, weight,
                 ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY duration_ms) AS rn,
                 COUNT(*) OVER (PARTITION BY bucket) AS n
               FROM (
                 SELECT time - ((time + ?1) % ?2) AS bucket, status, cache, duration_ms, weight
                 FROM api_logs WHERE time >= ?3 AND time < ?4 ${keyFilter}
               )
             )
             GROUP BY bucket`,
          )
          .bind(...params)
          .all<Row>(),
      );
      const counted = new Map<number, BucketFigures>();
      for (const row of results) {
        counted.set(Number(row.bucket), {
          total: count(row.total),
          ...statusClasses(row),
          cache_hits: count(row.cache_hits),
          cache_misses: count(row.cache_misses),
          latency_p50_ms: typeof row.p50 === 'number' ? row.p50 : null,
          latency_p95_ms: typeof row.p95 === 'number' ? row.p95 : null,
        });
      }
      return fillBuckets(plan, counted);
    },

    async logSummary(query) {
      checkRange(query);
      const keyFilter = query.key_id === undefined ? '' : 'AND key_id = ?3';
      const params: unknown[] = [query.from.getTime(), query.to.getTime()];
      if (query.key_id !== undefined) params.push(query.key_id);
      const [totals, ranked] = await d1('logSummary', () =>
        db.batch<Row>([
          db
            .prepare(
              `SELECT SUM(weight) AS total, COUNT(*) AS kept, ${statusClassSums()}, ${CACHE_SUMS}
               FROM api_logs WHERE time >= ?1 AND time < ?2 ${keyFilter}`,
            )
            .bind(...params),
          // Nearest rank ceil(p·n/100) as integer maths: (p·n + 99) / 100.
          db
            .prepare(
              `SELECT duration_ms, rn FROM (
                 SELECT duration_ms, ROW_NUMBER() OVER (ORDER BY duration_ms) AS rn, COUNT(*) OVER () AS n
                 FROM api_logs WHERE time >= ?1 AND time < ?2 ${keyFilter}
               ) WHERE rn = (50 * n + 99) / 100 OR rn = (95 * n + 99) / 100`,
            )
            .bind(...params),
        ]),
      );
      const row = totals?.results[0];
      // Percentiles rank the rows kept (a uniform sample when LOG_SAMPLE_ONE_IN > 1); counts weigh them.
      const kept = count(row?.kept);
      const byRank = new Map((ranked?.results ?? []).map((item) => [Number(item.rn), Number(item.duration_ms)]));
      return buildSummary(
        { total: count(row?.total), ...statusClasses(row), cache_hits: count(row?.cache_hits), cache_misses: count(row?.cache_misses) },
        byRank.get(nearestRank(50, kept)) ?? null,
        byRank.get(nearestRank(95, kept)) ?? null,
      );
    },

    async requestsByEndpoint(query) {
      checkRange(query);
      const { results } = await d1('requestsByEndpoint', () =>
        db
          .prepare(
            `SELECT endpoint, SUM(weight) AS total, ${statusClassSums()}, SUM(duration_ms * weight) AS duration_sum
             FROM api_logs WHERE time >= ? AND time < ?
             GROUP BY endpoint ORDER BY total DESC, endpoint ASC LIMIT ?`,
          )
          .bind(query.from.getTime(), query.to.getTime(), query.limit ?? 50)
          .all<Row>(),
      );
      return results.map((row) => ({
        endpoint: String(row.endpoint),
        total: count(row.total),
        status_4xx: count(row.status_4xx),
        status_5xx: count(row.status_5xx),
        avg_duration_ms: Math.round(count(row.duration_sum) / Math.max(1, count(row.total))),
      }));
    },

    async topKeys(query) {
      checkRange(query);
      const { results } = await d1('topKeys', () =>
        db
          .prepare(
            `SELECT l.key_id AS key_id, MAX(k.name) AS name, SUM(l.weight) AS total, ${statusClassSums('l.')}
             FROM api_logs l LEFT JOIN api_keys k ON k.id = l.key_id
             WHERE l.key_id IS NOT NULL AND l.time >= ? AND l.time < ?
             GROUP BY l.key_id ORDER BY total DESC, l.key_id ASC LIMIT ?`,
          )
          .bind(query.from.getTime(), query.to.getTime(), query.limit)
          .all<Row>(),
      );
      return results.map((row) => ({
        key_id: String(row.key_id),
        name: typeof row.name === 'string' ? row.name : null,
        total: count(row.total),
        status_4xx: count(row.status_4xx),
        status_5xx: count(row.status_5xx),
      }));
    },

    async listLogs(query) {
      const { limit, offset } = paging(query.page, query.pageSize);
      const conditions: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, ...values: unknown[]) => {
        conditions.push(sql);
        params.push(...values);
      };
      if (query.key_id !== undefined) add('key_id = ?', query.key_id);
      if (query.endpoint !== undefined) add('endpoint = ?', query.endpoint);
      if (query.status !== undefined) {
        const { min, max } = statusBounds(query.status);
        add('status >= ? AND status < ?', min, max);
      }
      if (query.from) add('time >= ?', query.from.getTime());
      if (query.to) add('time < ?', query.to.getTime());
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      const [rows, total] = await d1('listLogs', () =>
        db.batch<Row>([
          db
            .prepare(`SELECT * FROM api_logs ${where} ORDER BY time DESC, request_id DESC LIMIT ? OFFSET ?`)
            .bind(...params, limit, offset),
          db.prepare(`SELECT COUNT(*) AS total FROM api_logs ${where}`).bind(...params),
        ]),
      );
      return { items: (rows?.results ?? []).map(logFromRow), total: count(total?.results[0]?.total) };
    },

    async deleteLogsBefore(before) {
      let deleted = 0;
      for (;;) {
        const result = await d1('deleteLogsBefore', () =>
          db
            .prepare('DELETE FROM api_logs WHERE rowid IN (SELECT rowid FROM api_logs WHERE time < ? LIMIT ?)')
            .bind(before.getTime(), DELETE_CHUNK)
            .run(),
        );
        deleted += result.meta.changes;
        if (result.meta.changes < DELETE_CHUNK) return deleted;
      }
    },
  };
}

function logParams(record: LogRecord): unknown[] {
  return [
    record.request_id,
    record.time.getTime(),
    record.endpoint,
    record.method,
    record.key_id,
    record.client_ip,
    record.status,
    record.error_code,
    record.duration_ms,
    record.query,
    record.colo,
    record.cache,
    record.weight ?? 1,
  ];
}
