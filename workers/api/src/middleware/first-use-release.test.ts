import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { releaseFailedFirstUse } from './first-use-release';

function appAnswering(status: number) {
  const released: string[] = [];
  const app = new Hono<AppEnv>();
  app.use(releaseFailedFirstUse());
  app.get('/stream/:token', (c) => {
    c.set('releaseFirstUse', async () => void released.push(c.req.param('token')));
    return c.body(null, status as 200);
  });
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (work: Promise<unknown>) => waits.push(work), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  return { released, call: async () => (await app.request('/stream/t1', {}, {}, ctx), await Promise.all(waits)) };
}

describe('releaseFailedFirstUse', () => {
  it("gives a link's first use back when the answer is a 5xx, and only then", async () => {
    const failed = appAnswering(502);
    await failed.call();
    expect(failed.released).toEqual(['t1']);
    for (const status of [200, 206, 404, 429]) {
      const kept = appAnswering(status);
      await kept.call();
      expect(kept.released).toEqual([]);
    }
  });
});
