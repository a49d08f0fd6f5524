import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { KeyGate } from '../workers/api/src/quota/key-gate';
import type { QuotaCounter } from '../workers/api/src/quota/quota-counter';
import { SharedUnknownKeys, type UnknownKeyExchange } from '../workers/api/src/quota/shared-unknown-keys';
import { healthBoard, type SharedHealth } from '../workers/api/src/shared-health/shared-health';
import { sha256Hex } from '../workers/core/src/hash';
import { createD1Store } from '../workers/core/src/store/d1-store';
import type { MetadataStore } from '../workers/core/src/store/types';
import type { YouTubeClientName } from '../workers/core/src/settings';
import { ColoClientHealth, type HealthBoard } from '../workers/core/src/youtube/colo-client-health';
import { apiJson, createKey } from './support/api';

/**
 * Issue 19 §2: client health and the unknown-key memory are shared between
 * isolates through the SharedHealth Durable Object, so they hold where the
 * Cache API keeps nothing (a workers.dev address): every test here gives the
 * code a Cache API that stores nothing.
 */
const bindings = env as unknown as { SHARED_HEALTH: DurableObjectNamespace<SharedHealth>; QUOTA: DurableObjectNamespace<QuotaCounter>; DB: D1Database };
const rules = { threshold: 5, coolOffMs: 600_000 };
const CLIENTS: YouTubeClientName[] = ['VISIONOS', 'TV', 'IOS'];

const noOpCache = {
  match: async () => undefined,
  put: async () => {},
  delete: async () => false,
} as unknown as Cache;

function countingBoard(board: HealthBoard) {
  const calls = { exchange: 0 };
  const counted: HealthBoard = { tier: board.tier, exchange: (...args) => ((calls.exchange += 1), board.exchange(...args)) };
  return { board: counted, calls };
}

function isolates() {
  let now = Date.now();
  const work: Promise<unknown>[] = [];
  const colo = `test-${crypto.randomUUID()}`;
  const make = (board: HealthBoard = healthBoard(bindings.SHARED_HEALTH, colo)) =>
    new ColoClientHealth({ cache: () => noOpCache, now: () => now, board });
  return {
    make,
    colo,
    waitUntil: (promise: Promise<unknown>) => void work.push(promise),
    settle: async () => {
      while (work.length) await Promise.all(work.splice(0));
    },
    advance: (ms: number) => void (now += ms),
  };
}

describe('client health shared through the SharedHealth object', () => {
  it('holds a cool-off decided in one isolate in the others when the Cache API keeps nothing', async () => {
    const world = isolates();
    const a = world.make();
    const b = world.make();
    expect(await b.plan(CLIENTS, rules, world.waitUntil)).toEqual(CLIENTS);
    for (let i = 0; i < 5; i++) a.record({ client: 'VISIONOS', phase: 'player', code: 'youtube.bot_check', latencyMs: 10 }, rules, world.waitUntil);
    await world.settle();
    // A new isolate knows from its first plan; one that read less than a minute ago, after its next read.
    expect(await world.make().plan(CLIENTS, rules, world.waitUntil)).toEqual(['TV', 'IOS']);
    world.advance(61_000);
    await b.plan(CLIENTS, rules, world.waitUntil);
    await world.settle();
    expect(await b.plan(CLIENTS, rules, world.waitUntil)).toEqual(['TV', 'IOS']);
    expect(b.view('VISIONOS', rules)).toMatchObject({ state: 'cooling_off', consecutive_failures: 5, last_failure: { code: 'youtube.bot_check' } });
    expect(a.tier).toBe('durable_object');
  });

  it('calls the object at most once a minute per isolate, however many requests plan and record', async () => {
    const world = isolates();
    const { board, calls } = countingBoard(healthBoard(bindings.SHARED_HEALTH, world.colo));
    const health = world.make(board);
    for (let i = 0; i < 200; i++) {
      await health.plan(CLIENTS, rules, world.waitUntil);
      health.record({ client: 'TV', phase: 'player', code: 'ok', latencyMs: 10 }, rules, world.waitUntil);
      world.advance(100);
    }
    await world.settle();
    expect(calls.exchange).toBe(1);
    world.advance(60_000);
    await health.plan(CLIENTS, rules, world.waitUntil);
    await world.settle();
    expect(calls.exchange).toBe(2);
    // The second exchange carried this isolate's attempts: another isolate sees them.
    const [tv] = await world.make().report(['TV'], rules);
    expect(tv!.attempts_1h).toBe(200);
  });

  it('keeps planning from what the isolate knows when the object does not answer', async () => {
    const world = isolates();
    const down: HealthBoard = { tier: 'durable_object', exchange: async () => { throw new Error('object unreachable'); } };
    const health = world.make(down);
    expect(await health.plan(CLIENTS, rules, world.waitUntil)).toEqual(CLIENTS);
    for (let i = 0; i < 5; i++) health.record({ client: 'VISIONOS', phase: 'player', code: 'youtube.login', latencyMs: 10 }, rules, world.waitUntil);
    await world.settle();
    expect(await health.plan(CLIENTS, rules, world.waitUntil)).toEqual(['TV', 'IOS']);
  });
});

function countingStore(store: MetadataStore) {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'getKeyByHash') return (hash: string) => ((reads += 1), target.getKeyByHash(hash));
      return Reflect.get(target, name, receiver);
    },
  });
  return { store: counted, reads: () => reads };
}

describe('the unknown-key memory shared through the SharedHealth object', () => {
  const boardName = () => `unknown-keys-test-${crypto.randomUUID()}`;
  function countingExchange(name: string) {
    const calls = { exchange: 0 };
    const exchange: UnknownKeyExchange = {
      exchangeUnknownKeys: async (found, read) => ((calls.exchange += 1), (await bindings.SHARED_HEALTH.getByName(name).exchangeUnknownKeys(found, read)) as Array<[string, number]>),
    };
    return { exchange, calls };
  }
  /** A key gate as another isolate's: its own memory, no Cache API, the shared object. */
  function isolateGate(store: MetadataStore, shared: SharedUnknownKeys) {
    const work: Promise<unknown>[] = [];
    const gate = new KeyGate(bindings.QUOTA, () => store, (promise) => void work.push(promise), { unknownKeys: new Map(), edgeCache: null, sharedUnknownKeys: shared });
    return { gate, settle: async () => void (await Promise.all(work.splice(0))) };
  }

  it('spares another isolate the store read of a made-up key, without the Cache API', async () => {
    const name = boardName();
    const counted = countingStore(createD1Store(bindings.DB));
    const hash = await sha256Hex(`made-up-${crypto.randomUUID()}`);
    const first = isolateGate(counted.store, new SharedUnknownKeys(() => countingExchange(name).exchange));
    for (let n = 0; n < 3; n++) await expect(first.gate.admit(hash, Date.now())).rejects.toMatchObject({ code: 'key.invalid' });
    await first.settle();
    expect(counted.reads()).toBe(1);
    const { exchange, calls } = countingExchange(name);
    const second = isolateGate(counted.store, new SharedUnknownKeys(() => exchange));
    for (let n = 0; n < 3; n++) await expect(second.gate.admit(hash, Date.now())).rejects.toMatchObject({ code: 'key.invalid' });
    expect(counted.reads()).toBe(1);
    expect(calls.exchange).toBe(1);
  });

  it('never calls the object for a key that exists', async () => {
    const { key } = await createKey({ name: 'shared-unknown-keys' });
    const hash = await sha256Hex(key);
    const { exchange, calls } = countingExchange(boardName());
    const { gate } = isolateGate(createD1Store(bindings.DB), new SharedUnknownKeys(() => exchange));
    for (let n = 0; n < 5; n++) await gate.admit(hash, Date.now());
    expect(calls.exchange).toBe(0);
  });
});

describe('GET /health?deep=true', () => {
  it('reports the tier each of these caches uses', async () => {
    const { body } = await apiJson('/health?deep=true');
    expect(body.caches).toMatchObject({
      metadata: { tier: 'isolate_memory+cache_api', max_entries: 256 },
      search: { tier: 'isolate_memory+cache_api', max_entries: 256 },
      client_health: { tier: 'durable_object' },
      unknown_keys: { tier: 'isolate_memory+durable_object+cache_api' },
    });
  });
});
