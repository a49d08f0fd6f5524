import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { holdsWriteTimer } from '../../../../test/support/quota-counter';
import { istDay, nextIstMidnight, secondsUntilIstMidnight } from './ist-calendar';
import { DEFAULT_FLUSH_MS, IDLE_HOLD_MS, type KeySnapshot, type QuotaCounter } from './quota-counter';

const QUOTA = (env as unknown as { QUOTA: DurableObjectNamespace<QuotaCounter> }).QUOTA;
const key = (limit: number): KeySnapshot => ({ id: 'k1', tier: 'user', daily_limit: limit, expires_at: null, active: true, version: 1 });
const at = (iso: string) => Date.parse(iso);

describe('IST calendar', () => {
  it('starts the day at 18:30 UTC, across month and year ends', () => {
    expect(istDay(at('2026-11-25T18:29:59.999Z'))).toBe('2026-11-25');
    expect(istDay(at('2026-11-25T18:30:00.000Z'))).toBe('2026-11-26');
    expect(istDay(at('2026-12-31T18:29:59Z'))).toBe('2026-12-31');
    expect(istDay(at('2026-12-31T18:30:00Z'))).toBe('2027-01-01');
    expect(istDay(at('2027-02-28T18:30:00Z'))).toBe('2027-03-01');
    expect(nextIstMidnight(at('2026-11-25T10:00:00Z'))).toBe(at('2026-11-25T18:30:00Z'));
    expect(nextIstMidnight(at('2026-11-25T18:30:00Z'))).toBe(at('2026-11-26T18:30:00Z'));
    expect(secondsUntilIstMidnight(at('2026-11-25T18:29:00Z'))).toBe(60);
  });
});

describe('QuotaCounter', () => {
  it('rolls the count over exactly at 18:30 UTC, without an alarm', async () => {
    const stub = QUOTA.getByName('rollover-test');
    expect((await stub.consume(at('2026-11-25T18:29:58Z'), key(2))).kind).toBe('allowed');
    expect((await stub.consume(at('2026-11-25T18:29:59Z'))).kind).toBe('allowed');
    const refused = await stub.consume(at('2026-11-25T18:29:59.999Z'));
    expect(refused).toMatchObject({ kind: 'exceeded', used: 2, day: '2026-11-25', resetAt: at('2026-11-25T18:30:00Z') });
    const next = await stub.consume(at('2026-11-25T18:30:00Z'));
    expect(next).toMatchObject({ kind: 'allowed', used: 1, day: '2026-11-26' });
  });

  it('rolls over across a year change', async () => {
    const stub = QUOTA.getByName('year-change-test');
    expect((await stub.consume(at('2026-12-31T18:00:00Z'), key(1))).kind).toBe('allowed');
    expect((await stub.consume(at('2026-12-31T18:29:59Z'))).kind).toBe('exceeded');
    expect(await stub.consume(at('2026-12-31T18:30:01Z'))).toMatchObject({ kind: 'allowed', day: '2027-01-01' });
  });

  it('answers a caller holding the key at its version with the count alone, and anything else in full', async () => {
    const stub = QUOTA.getByName('held-copy-test');
    const now = at('2026-11-25T10:00:00Z');
    expect(await stub.consume(now, key(3))).toMatchObject({ kind: 'allowed', used: 1 });
    expect(await stub.consumeHeld(now + 1, 1)).toBe(2);
    // Another version (an admin change the caller has not seen): the key's fields come back.
    expect(await stub.consumeHeld(now + 2, 0)).toMatchObject({ kind: 'allowed', used: 3, key: { daily_limit: 3, version: 1 } });
    // Counted all the same, and refused in full.
    expect(await stub.consumeHeld(now + 3, 1)).toMatchObject({ kind: 'exceeded', used: 3 });
    await stub.remember({ ...key(3), active: false, version: 2 }, now + 4);
    expect(await stub.consumeHeld(now + 5, 2)).toMatchObject({ kind: 'revoked' });
    // A stale copy is answered in full, so the caller refreshes it.
    await stub.remember({ ...key(10), version: 3 }, now);
    expect(await stub.consumeHeld(now + 6 * 60_000, 3)).toMatchObject({ kind: 'allowed', stale: true });
  });

  it('reports expiry and revocation from its copy of the key, and asks for the record when it has none', async () => {
    const stub = QUOTA.getByName('expiry-test');
    expect((await stub.consume(at('2026-11-25T00:00:00Z'))).kind).toBe('unknown');
    await stub.remember({ ...key(5), expires_at: at('2026-11-25T12:00:00Z') }, at('2026-11-25T00:00:00Z'));
    expect((await stub.consume(at('2026-11-25T11:59:59Z'))).kind).toBe('allowed');
    expect((await stub.consume(at('2026-11-25T12:00:00Z'))).kind).toBe('expired');
    await stub.remember({ ...key(5), active: false }, at('2026-11-25T12:00:00Z'));
    expect((await stub.consume(at('2026-11-25T12:00:01Z'))).kind).toBe('revoked');
    await stub.remember(null, at('2026-11-25T12:00:01Z'));
    expect((await stub.consume(at('2026-11-25T12:00:02Z'))).kind).toBe('invalid');
  });

  it('refunds a request and never goes below zero', async () => {
    const stub = QUOTA.getByName('refund-test');
    const first = await stub.consume(at('2026-11-25T10:00:00Z'), key(3));
    expect(first).toMatchObject({ used: 1 });
    await stub.refund('2026-11-25');
    await stub.refund('2026-11-25');
    expect(await stub.consume(at('2026-11-25T10:00:01Z'))).toMatchObject({ used: 1 });
  });

  it('cleans up old days in its alarm and keeps recent ones', async () => {
    const stub = QUOTA.getByName('cleanup-test');
    const now = Date.now();
    await stub.consume(now - 60 * 86400_000, key(10));
    await stub.consume(now);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runInDurableObject(stub, async (_instance, state) => {
      expect((await state.storage.list({ prefix: 'day:' })).size).toBe(2);
      expect(await state.storage.getAlarm()).not.toBeNull();
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, async (_instance, state) => {
      expect([...(await state.storage.list({ prefix: 'day:' })).keys()]).toEqual([`day:${istDay(now)}`]);
    });
  });

  it('keeps its counts when the object is evicted and comes back', async () => {
    const stub = QUOTA.getByName('eviction-test');
    const now = at('2026-11-25T10:00:00Z');
    await stub.consume(now, key(2));
    await stub.consume(now);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await evictDurableObject(stub);
    const again = QUOTA.getByName('eviction-test');
    expect(await again.consume(now)).toMatchObject({ kind: 'exceeded', used: 2 });
  });

  it('lists usage per IST day, oldest first', async () => {
    const stub = QUOTA.getByName('usage-test');
    const now = at('2026-11-25T10:00:00Z');
    await stub.consume(now - 86400_000, key(10));
    await stub.consume(now);
    await stub.consume(now);
    expect(await stub.usage(now, 3)).toEqual([
      { date: '2026-11-23', count: 0 },
      { date: '2026-11-24', count: 1 },
      { date: '2026-11-25', count: 2 },
    ]);
  });
});

/**
 * The object's write cadence set as deployed (the tests' env writes every 50 ms), and the times
 * of its day-count writes recorded.
 */
async function withCadence(stub: DurableObjectStub<QuotaCounter>, cadence: { holdMs: number; flushMs: number }): Promise<number[]> {
  const writes: number[] = [];
  await runInDurableObject(stub, (instance, state) => {
    Object.assign(instance, cadence);
    const storage = state.storage as unknown as { put(entries: unknown, options?: unknown): Promise<void> };
    const put = storage.put.bind(storage);
    storage.put = (entries, options) => {
      if (entries && typeof entries === 'object' && Object.keys(entries).some((name) => name.startsWith('day:'))) writes.push(Date.now());
      return put(entries, options);
    };
  });
  return writes;
}

const storedCount = (stub: DurableObjectStub<QuotaCounter>, day: string) =>
  runInDurableObject(stub, (_instance, state) => state.storage.get<number>(`day:${day}`));

describe('QuotaCounter: what its idle time costs', () => {
  it("writes a quiet key's count once the key has been quiet for the hold, then holds no timer, so the object may hibernate", async () => {
    const stub = QUOTA.getByName('quiet-key-test');
    const writes = await withCadence(stub, { holdMs: IDLE_HOLD_MS, flushMs: DEFAULT_FLUSH_MS });
    const now = Date.now();
    await stub.consume(now, key(10));
    // Deployed, the object used to hold its timer for QUOTA_FLUSH_MS (10 s) after every request: billed all that time.
    await vi.waitUntil(async () => !(await holdsWriteTimer(stub)), { timeout: DEFAULT_FLUSH_MS / 3, interval: 50 });
    expect(await storedCount(stub, istDay(now))).toBe(1);
    expect(writes).toHaveLength(1);
  });

  it('writes a busy key once, not once per request, and only once it goes quiet', async () => {
    const stub = QUOTA.getByName('busy-key-test');
    const writes = await withCadence(stub, { holdMs: 1_000, flushMs: 60_000 });
    const now = Date.now();
    await stub.consume(now, key(1_000));
    for (let index = 1; index < 100; index++) await stub.consume(now);
    // Back to back, no request waits the hold out (one stray pause of the machine may).
    expect(writes.length).toBeLessThanOrEqual(1);
    await vi.waitUntil(async () => !(await holdsWriteTimer(stub)), { timeout: 5_000, interval: 50 });
    expect(await storedCount(stub, istDay(now))).toBe(100);
    expect(writes.length).toBeLessThanOrEqual(2);
  });

  it('writes a key that never goes quiet every QUOTA_FLUSH_MS, so a crash forgets at most that long of counting', async () => {
    const stub = QUOTA.getByName('never-quiet-key-test');
    const writes = await withCadence(stub, { holdMs: 400, flushMs: 300 });
    const now = Date.now();
    await stub.consume(now, key(1_000));
    const started = Date.now();
    while (Date.now() - started < 1_300) {
      await stub.consume(now);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(writes.length).toBeGreaterThanOrEqual(2);
  });
});

describe('QuotaCounter: stream links', () => {
  it("counts a link's first request only, also after the object is evicted", async () => {
    const stub = QUOTA.getByName('link-first-use-test');
    const now = at('2026-11-25T10:00:00Z');
    const expires = now + 86400_000;
    expect(await stub.useLink(now, 'link-a', expires, key(10))).toMatchObject({ kind: 'allowed', used: 1, firstUse: true });
    for (let index = 0; index < 5; index++) expect(await stub.useLink(now, 'link-a', expires)).toMatchObject({ kind: 'allowed', used: 1 });
    expect(await stub.useLink(now, 'link-b', expires)).toMatchObject({ kind: 'allowed', used: 2, firstUse: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await evictDurableObject(stub);
    const again = QUOTA.getByName('link-first-use-test');
    expect(await again.useLink(now, 'link-a', expires)).toMatchObject({ kind: 'allowed', used: 2 });
    expect((await again.useLink(now, 'link-a', expires)).kind === 'allowed').toBe(true);
  });

  it('refuses a new link past the quota but keeps serving a started one, and releases a failed first use', async () => {
    const stub = QUOTA.getByName('link-quota-test');
    const now = at('2026-11-25T10:00:00Z');
    const expires = now + 86400_000;
    expect(await stub.useLink(now, 'started', expires, key(1))).toMatchObject({ firstUse: true, used: 1 });
    expect((await stub.useLink(now, 'new', expires)).kind).toBe('exceeded');
    expect((await stub.useLink(now, 'started', expires)).kind).toBe('allowed');
    await stub.releaseLink('2026-11-25', 'started');
    expect(await stub.useLink(now, 'new', expires)).toMatchObject({ firstUse: true, used: 1 });
  });

  it('forgets expired links in its alarm', async () => {
    const stub = QUOTA.getByName('link-cleanup-test');
    const now = Date.now();
    await stub.useLink(now, 'old', now - 1000, key(10));
    await stub.useLink(now, 'live', now + 86400_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, async (_instance, state) => {
      expect([...(await state.storage.list({ prefix: 'link:' })).keys()]).toEqual(['link:live']);
    });
  });
});
