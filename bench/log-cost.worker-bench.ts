import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { d1LogOps } from '../workers/core/src/store/d1-logs';
import type { LogRecord } from '../workers/core/src/store/types';

/**
 * What the request log costs the D1 store, counted by D1 itself (each statement's
 * meta.rows_written and the database's size), and what that makes at an operator's
 * scale. D1 bills rows written (an index entry counts as a row) and caps a database
 * at 10 GB (500 MB and 100,000 rows written a day on the Free plan): the figures
 * behind LOG_SAMPLE_ONE_IN (docs/deploying.md, Request logs at scale).
 */
const RECORDS = 5_000;
const PAID_INCLUDED_ROWS_PER_MONTH = 50_000_000;
const PAID_DOLLARS_PER_MILLION_ROWS = 1;
const PAID_MAX_BYTES = 10e9;
const FREE_ROWS_PER_DAY = 100_000;

it('prints the D1 rows written and bytes stored per logged request, and what ten million requests a day cost', async () => {
  const real = (env as unknown as { DB: D1Database }).DB;
  let rowsWritten = 0;
  let sizeAfter = 0;
  // The store's own insert path, with each batch's meta read on the way back.
  const counting = new Proxy(real, {
    get(target, property) {
      if (property === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements);
          for (const result of results) {
            rowsWritten += result.meta.rows_written ?? 0;
            sizeAfter = Math.max(sizeAfter, result.meta.size_after ?? 0);
          }
          return results;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const before = (await real.prepare('SELECT 1').run()).meta.size_after ?? 0;
  const started = Date.now();
  const records: LogRecord[] = Array.from({ length: RECORDS }, (_, index) => ({
    request_id: crypto.randomUUID(),
    time: new Date(started - index * 1000),
    endpoint: index % 3 ? '/v1/resolve' : '/stream/:token',
    method: 'GET',
    key_id: `k${String(index % 200).padStart(11, '0')}`,
    client_ip: `203.0.${index % 256}.${(index * 7) % 256}`,
    status: index % 20 ? 200 : 404,
    error_code: index % 20 ? null : 'video.not_found',
    duration_ms: 20 + (index % 500),
    query: index % 3 ? 'https://www.youtube.com/watch?v=M4gD1WSo5mA' : null,
    colo: 'BOM',
    cache: index % 3 ? (index % 2 ? 'hit' : 'miss') : null,
  }));
  await d1LogOps(counting).appendLogs(records);
  const perRecord = rowsWritten / RECORDS;
  const bytesPerRecord = (sizeAfter - before) / RECORDS;

  const perDay = 10_000_000;
  const scenario = (sampleOneIn: number) => {
    const rowsPerDay = (perDay / sampleOneIn) * perRecord;
    const dollarsPerMonth = Math.max(0, rowsPerDay * 30 - PAID_INCLUDED_ROWS_PER_MONTH) / 1e6 * PAID_DOLLARS_PER_MILLION_ROWS;
    const daysToFill = PAID_MAX_BYTES / ((perDay / sampleOneIn) * bytesPerRecord);
    return `${(rowsPerDay / 1e6).toFixed(2)} M rows written a day, $${Math.round(dollarsPerMonth).toLocaleString('en-US')} a month past the Paid plan's 50 M; 10 GB full after ${daysToFill.toFixed(daysToFill < 10 ? 1 : 0)} days of logs`;
  };
  console.log(
    [
      '',
      '| the request log in D1 (the store\'s own insert, counted by D1) | value |',
      '| --- | --- |',
      `| rows written per logged request (the row, its primary key, three indexes) | ${perRecord.toFixed(2)} |`,
      `| bytes stored per logged request (database growth over ${RECORDS} records) | ${bytesPerRecord.toFixed(0)} |`,
      `| the Free plan's 100,000 rows written a day last for | ${Math.floor(FREE_ROWS_PER_DAY / perRecord).toLocaleString('en-US')} logged requests (then D1 refuses every write until 00:00 UTC: keys and cache records too) |`,
      `| 10 M requests a day, LOG_SAMPLE_ONE_IN=1 | ${scenario(1)} |`,
      `| 10 M requests a day, LOG_SAMPLE_ONE_IN=100 | ${scenario(100)} |`,
      '',
    ].join('\n'),
  );
});
