import { beforeEach, describe, expect, it } from 'vitest';
import type { YouTubeClientName } from '../settings';
import { ColoClientHealth } from './colo-client-health';

const rules = { threshold: 5, coolOffMs: 600_000 };
const CLIENTS: YouTubeClientName[] = ['VISIONOS', 'ANDROID_VR', 'IOS'];

let now = 1_800_000_000_000;
let background: Promise<unknown>[] = [];
const waitUntil = (work: Promise<unknown>) => void background.push(work);
async function settle() {
  while (background.length) await Promise.all(background.splice(0));
}

/** A Cache that counts the calls made to it, so a test sees when the shared state is touched. */
function countingCache(cache: Cache) {
  const calls = { match: 0, put: 0 };
  const counted = {
    match: (...args: Parameters<Cache['match']>) => ((calls.match += 1), cache.match(...args)),
    put: (...args: Parameters<Cache['put']>) => ((calls.put += 1), cache.put(...args)),
  } as unknown as Cache;
  return { cache: counted, calls };
}

async function isolate(cache: Cache, id: string) {
  return new ColoClientHealth({ cache: () => cache, now: () => now, isolateId: id });
}

function fail(health: ColoClientHealth, client: YouTubeClientName, times: number, code = 'youtube.login') {
  for (let i = 0; i < times; i++) health.record({ client, phase: 'player', code, latencyMs: 40 }, rules, waitUntil);
}

describe('client health', () => {
  let shared: Cache;
  beforeEach(async () => {
    now += 10 * 3_600_000;
    background = [];
    shared = await caches.open(`client-health-${crypto.randomUUID()}`);
  });

  it('sets a client aside after 5 failures in a row, tries it once after the cool-off, and takes it back on success', async () => {
    const health = await isolate(shared, 'a');
    fail(health, 'VISIONOS', 4);
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    expect(health.view('VISIONOS', rules).state).toBe('failing');
    fail(health, 'VISIONOS', 1);
    expect(health.view('VISIONOS', rules).state).toBe('cooling_off');
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);

    now += 599_000;
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);
    now += 2_000;
    // Cool-off over: one request gets VISIONOS; a concurrent one does not.
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);
    // That one trial fails: straight back to cooling off.
    fail(health, 'VISIONOS', 1);
    expect(health.view('VISIONOS', rules).state).toBe('cooling_off');
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);

    now += 601_000;
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    health.record({ client: 'VISIONOS', phase: 'player', code: 'ok', latencyMs: 30 }, rules, waitUntil);
    expect(health.view('VISIONOS', rules).state).toBe('ok');
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
  });

  it('asks every client, in order, when all of them are cooling off', async () => {
    const health = await isolate(shared, 'a');
    for (const client of CLIENTS) fail(health, client, 5);
    expect(CLIENTS.map((client) => health.view(client, rules).state)).toEqual(['cooling_off', 'cooling_off', 'cooling_off']);
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
  });

  it('does not count what YouTube says of the video itself as the client failing', async () => {
    const health = await isolate(shared, 'a');
    fail(health, 'VISIONOS', 4);
    fail(health, 'VISIONOS', 3, 'video.private');
    fail(health, 'VISIONOS', 4);
    expect(health.view('VISIONOS', rules).state).toBe('failing');
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
  });

  it('reports the player’s last hour (googlevideo’s answers apart): attempts, success rate, last success and last failure; unused when never tried', async () => {
    const health = await isolate(shared, 'a');
    health.record({ client: 'VISIONOS', phase: 'player', code: 'ok', latencyMs: 30 }, rules, waitUntil);
    const successAt = new Date(now).toISOString();
    now += 30 * 60_000;
    fail(health, 'VISIONOS', 1, 'youtube.sabr_only');
    health.record({ client: 'VISIONOS', phase: 'stream', code: 'ok', latencyMs: 30 }, rules, waitUntil);
    health.record({ client: 'VISIONOS', phase: 'canary', code: 'ok', latencyMs: 30 }, rules, waitUntil);
    const failureAt = new Date(now).toISOString();
    let [visionos, vr] = await health.report(['VISIONOS', 'ANDROID_VR'], rules);
    expect(visionos).toMatchObject({ state: 'ok', attempts_1h: 3, success_rate_1h: 0.667, last_failure: { at: failureAt, code: 'youtube.sabr_only' } });
    expect(visionos!.last_success_at).toBe(failureAt);
    expect(vr).toMatchObject({ state: 'unused', attempts_1h: 0, success_rate_1h: null, last_success_at: null, last_failure: null });
    now += 31 * 60_000;
    [visionos] = await health.report(['VISIONOS'], rules);
    expect(visionos).toMatchObject({ attempts_1h: 2, success_rate_1h: 0.5 });
    expect(successAt < visionos!.last_success_at!).toBe(true);
  });

  it('shares the state with the colo’s other isolates within a minute, adding up their attempts', async () => {
    const a = await isolate(shared, 'a');
    const b = await isolate(shared, 'b');
    expect(await b.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    await a.plan(CLIENTS, rules, waitUntil);
    fail(a, 'VISIONOS', 5);
    await settle();
    b.record({ client: 'IOS', phase: 'player', code: 'ok', latencyMs: 10 }, rules, waitUntil);
    now += 30_000;
    // b read the snapshot half a minute ago: it does not read again yet.
    expect(await b.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    now += 31_000;
    await b.plan(CLIENTS, rules, waitUntil);
    await settle();
    expect(await b.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);
    // a sees b's attempt after its own next read.
    now += 61_000;
    await a.plan(CLIENTS, rules, waitUntil);
    await settle();
    const [visionos, , ios] = await a.report(CLIENTS, rules);
    expect(visionos).toMatchObject({ state: 'cooling_off', attempts_1h: 5 });
    expect(ios).toMatchObject({ state: 'ok', attempts_1h: 1 });
    // A new isolate knows it all from its very first plan.
    const c = await isolate(shared, 'c');
    expect(await c.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);
  });

  it('touches the shared state at most once a minute however many requests plan and record', async () => {
    const { cache, calls } = countingCache(shared);
    const health = await isolate(cache, 'a');
    for (let i = 0; i < 200; i++) {
      await health.plan(CLIENTS, rules, waitUntil);
      health.record({ client: 'VISIONOS', phase: 'player', code: 'ok', latencyMs: 10 }, rules, waitUntil);
      now += 100;
    }
    await settle();
    expect(calls.match).toBe(1);
    expect(calls.put).toBeLessThanOrEqual(1);
    now += 60_000;
    await health.plan(CLIENTS, rules, waitUntil);
    await settle();
    expect(calls).toEqual({ match: 2, put: 1 });
  });

  it('keeps planning from what the isolate knows when the Cache API fails', async () => {
    const broken = { match: async () => { throw new Error('cache down'); }, put: async () => { throw new Error('cache down'); } } as unknown as Cache;
    const health = await isolate(broken, 'a');
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    fail(health, 'VISIONOS', 5);
    await settle();
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);
    expect((await health.report(['VISIONOS'], rules))[0]!.state).toBe('cooling_off');
  });

  it('keeps a cool-off when a URL minted before it began still plays (a cached answer, a later byte range)', async () => {
    const health = await isolate(shared, 'a');
    const mintedBefore = now - 60_000;
    fail(health, 'VISIONOS', 5);
    expect(health.view('VISIONOS', rules).state).toBe('cooling_off');
    health.record({ client: 'VISIONOS', phase: 'stream', code: 'ok', latencyMs: 20, mintedAt: mintedBefore }, rules, waitUntil);
    health.record({ client: 'VISIONOS', phase: 'stream', code: 'ok', latencyMs: 20, mintedAt: mintedBefore }, rules, waitUntil);
    expect(health.view('VISIONOS', rules)).toMatchObject({ state: 'cooling_off', consecutive_failures: 5, last_success_at: null });
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(['ANDROID_VR', 'IOS']);
  });

  it('never counts googlevideo serving a URL as the player answering: the player’s run of failures goes on', async () => {
    const health = await isolate(shared, 'a');
    fail(health, 'VISIONOS', 4);
    for (let i = 0; i < 3; i++) health.record({ client: 'VISIONOS', phase: 'stream', code: 'ok', latencyMs: 20, mintedAt: now - 5_000 }, rules, waitUntil);
    expect(health.view('VISIONOS', rules)).toMatchObject({ state: 'failing', consecutive_failures: 4 });
    fail(health, 'VISIONOS', 1);
    expect(health.view('VISIONOS', rules).state).toBe('cooling_off');
  });

  it('cools off a client whose URLs googlevideo refuses, and only a URL minted after the cool-off began ends it', async () => {
    const health = await isolate(shared, 'a');
    for (let i = 0; i < 5; i++) {
      health.record({ client: 'VISIONOS', phase: 'player', code: 'ok', latencyMs: 20 }, rules, waitUntil);
      health.record({ client: 'VISIONOS', phase: 'stream', code: 'googlevideo.forbidden', latencyMs: 20, mintedAt: now }, rules, waitUntil);
      now += 1_000;
    }
    expect(health.view('VISIONOS', rules)).toMatchObject({
      state: 'cooling_off',
      consecutive_failures: 5,
      consecutive_failures_by_source: { player: 0, googlevideo: 5 },
      last_failure: { code: 'googlevideo.forbidden' },
    });
    const coolOffBegan = now - 1_000;
    // A URL minted during the run of refusals, before the cool-off began, plays: the cool-off holds.
    health.record({ client: 'VISIONOS', phase: 'stream', code: 'ok', latencyMs: 20, mintedAt: coolOffBegan - 2_000 }, rules, waitUntil);
    expect(health.view('VISIONOS', rules).state).toBe('cooling_off');
    now += 601_000;
    // The trial after the cool-off: the player answers (not yet enough), then its fresh URL plays.
    expect(await health.plan(CLIENTS, rules, waitUntil)).toEqual(CLIENTS);
    const probeAt = now;
    health.record({ client: 'VISIONOS', phase: 'player', code: 'ok', latencyMs: 20 }, rules, waitUntil);
    expect(health.view('VISIONOS', rules)).toMatchObject({ state: 'failing', probe_due: true });
    health.record({ client: 'VISIONOS', phase: 'stream', code: 'ok', latencyMs: 20, mintedAt: probeAt }, rules, waitUntil);
    expect(health.view('VISIONOS', rules)).toMatchObject({ state: 'ok', consecutive_failures: 0 });
  });

  it('reports each client’s failures in a row and the last failure’s code', async () => {
    const health = await isolate(shared, 'a');
    fail(health, 'VISIONOS', 2, 'youtube.bot_check');
    fail(health, 'VISIONOS', 1, 'youtube.sabr_only');
    health.record({ client: 'IOS', phase: 'player', code: 'ok', latencyMs: 20 }, rules, waitUntil);
    const [visionos, vr, ios] = await health.report(CLIENTS, rules);
    expect(visionos).toMatchObject({ consecutive_failures: 3, consecutive_failures_by_source: { player: 3, googlevideo: 0 }, last_failure: { code: 'youtube.sabr_only' } });
    expect(vr).toMatchObject({ consecutive_failures: 0, last_failure: null });
    expect(ios).toMatchObject({ consecutive_failures: 0, state: 'ok' });
  });
});
