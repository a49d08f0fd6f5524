import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { istDay, istDayStart } from '../workers/api/src/quota/ist-calendar';
import { createD1Store } from '../workers/core/src/store/d1-store';
import { TEST_ADMIN_KEY } from './support/api';
import { fillYearOfLogs } from './support/year-of-logs';

/**
 * Issue 12 §5, admin statistics: the overview comes from one store query per
 * backend, and stays right on a year of logs (its speed there is a figure of
 * `npm run bench`, not a test).
 */
const bindings = env as unknown as Record<string, string> & { DB: D1Database };
const DAY = 86_400_000;

async function overview(apiEnv: Record<string, unknown>) {
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request('http://api.test/admin/stats/overview', { headers: { 'X-API-Key': TEST_ADMIN_KEY, 'CF-Connecting-IP': '10.55.0.1' } }),
    { ...apiEnv, RATE_LIMIT_PER_MINUTE: '0', LOG_QUEUE: undefined },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, body: (await response.json()) as any };
}

describe('GET /admin/stats/overview', () => {
  it('asks D1 one statement for the request figures, and one for the keys', async () => {
    const statements: string[] = [];
    const db = new Proxy(bindings.DB, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (name === 'prepare') return (sql: string) => (statements.push(sql), target.prepare(sql));
        if (name === 'batch') return (list: D1PreparedStatement[]) => (statements.push(`batch of ${list.length}`), target.batch(list));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { status } = await overview({ ...bindings, DB: db });
    expect(status).toBe(200);
    expect(statements).toHaveLength(2);
    expect(statements.filter((sql) => sql.includes('api_logs'))).toHaveLength(1);
  });

  it('asks Mongo one aggregate for the request figures, and one for the keys', async () => {
    const database = `ov_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const { status } = await overview({ ...bindings, METADATA_STORE: 'mongo', MONGO_DATA_API_URL: bindings.MONGO_TEST_URL, MONGO_DATA_API_KEY: bindings.MONGO_TEST_API_KEY, MONGO_DATABASE: database });
    expect(status).toBe(200);
    const calls = await fetch(`${new URL(bindings.MONGO_TEST_URL!).origin}/__control/calls?database=${database}`).then((r) => r.json<any>());
    const byCollection = calls.calls.map((call: { action: string; collection: string }) => `${call.action} ${call.collection}`);
    expect(byCollection.sort()).toEqual(['aggregate api_keys', 'aggregate api_logs']);
  });

  it('answers right over a year of logs, a million rows', { timeout: 300_000 }, async () => {
    const now = Date.now();
    await fillYearOfLogs(bindings.DB, { rows: 1_000_000, endMs: now - 1000 });
    const { status, body } = await overview(bindings);
    expect(status).toBe(200);
    const store = createD1Store(bindings.DB);
    const count = async (from: number, to: number) =>
      (await bindings.DB.prepare('SELECT COUNT(*) AS n FROM api_logs WHERE time >= ? AND time < ?').bind(from, to).first<{ n: number }>())!.n;
    const todayStart = istDayStart(istDay(now));
    const answerNow = Date.now();
    // The route's own clock ran a moment later; nothing was logged in between, so its windows hold the same rows.
    expect(body.requests.total).toBe(1_000_000);
    expect(body.requests.today).toBe(await count(todayStart, answerNow + 1));
    expect(body.requests.yesterday).toBe(await count(todayStart - DAY, todayStart));
    expect(body.requests.this_week).toBe(await count(answerNow - 7 * DAY, answerNow + 1));
    expect(body.requests.last_week).toBeGreaterThan(19_000);
    const recent = await store.logSummary({ from: new Date(answerNow - DAY), to: new Date(answerNow + 1) });
    expect(recent.total).toBeGreaterThan(2_700);
    expect(body.latency).toMatchObject({ p50: recent.latency_p50_ms, p95: recent.latency_p95_ms });
    expect(body.error_rate.current).toBeCloseTo(recent.error_rate_5xx, 10);
    expect(body.cache).toMatchObject({ hits: recent.cache_hits, misses: recent.cache_misses });
  });
});
