import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { istDay, istDayStart } from '../workers/api/src/quota/ist-calendar';
import { createD1Store } from '../workers/core/src/store/d1-store';
import { TEST_ADMIN_KEY } from '../test/support/api';
import { fillYearOfLogs } from '../test/support/year-of-logs';

/**
 * The dashboard's overview over a year of logs (a million rows) in local D1:
 * the route as it is (one statement), against the seven summaries it used to
 * ask for (each ranking its whole range, the first one every request ever).
 */
const DAY = 86_400_000;

it('prints the overview’s time over a year of logs', { timeout: 600_000 }, async () => {
  const bindings = env as unknown as Record<string, unknown> & { DB: D1Database };
  const now = Date.now();
  const filling = performance.now();
  await fillYearOfLogs(bindings.DB, { rows: 1_000_000, endMs: now - 1000 });
  const fillMs = performance.now() - filling;
  const app = createApp();
  const apiEnv = { ...bindings, RATE_LIMIT_PER_MINUTE: '0', LOG_QUEUE: undefined, LOG_LEVEL: 'error' };
  const route = async () => {
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request('http://api.test/admin/stats/overview', { headers: { 'X-API-Key': TEST_ADMIN_KEY } }), apiEnv, ctx);
    await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
  };
  const median = async (runs: number, body: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await body();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  };
  await route();
  const overview = await median(5, route);
  const store = createD1Store(bindings.DB);
  const todayStart = istDayStart(istDay(now));
  const at = (ms: number) => new Date(ms);
  const sevenSummaries = await median(1, () =>
    Promise.all([
      store.logSummary({ from: at(0), to: at(now + 1) }),
      store.logSummary({ from: at(todayStart), to: at(now + 1) }),
      store.logSummary({ from: at(todayStart - DAY), to: at(todayStart) }),
      store.logSummary({ from: at(now - 7 * DAY), to: at(now + 1) }),
      store.logSummary({ from: at(now - 14 * DAY), to: at(now - 7 * DAY) }),
      store.logSummary({ from: at(now - DAY), to: at(now + 1) }),
      store.logSummary({ from: at(now - 2 * DAY), to: at(now - DAY) }),
    ]),
  );
  console.log(
    [
      '',
      '| admin overview, a year of logs (1,000,000 rows) in local D1 | value |',
      '| --- | --- |',
      `| GET /admin/stats/overview (one statement), median of 5 | ${overview.toFixed(0)} ms |`,
      `| the seven logSummary calls it replaced | ${sevenSummaries.toFixed(0)} ms |`,
      `| generating the rows (in D1, 100,000 a statement) | ${(fillMs / 1000).toFixed(1)} s |`,
      '',
    ].join('\n'),
  );
});
