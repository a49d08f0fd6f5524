import { AppError } from '../../../core/src/errors';
import type { Logger } from '../../../core/src/logging/logger';
import type { ApiKeyRecord, MetadataStore } from '../../../core/src/store/types';
import { istDay, nextIstMidnight, secondsUntilIstMidnight } from './ist-calendar';
import type { ConsumeOutcome, KeySnapshot, LinkRestart, QuotaCounter } from './quota-counter';
import type { SharedUnknownKeys } from './shared-unknown-keys';
import { edgeCache } from '../../../core/src/cache/edge-cache';

/**
 * The key check of the hot path: one call to the key's QuotaCounter. The
 * store is asked only when the object has never seen the key, and refreshed
 * in the background when its copy grows old (also a refused key's copy, so a
 * reactivation whose push was lost still arrives).
 *
 * A key the store does not know leaves nothing behind: its object is asked
 * (and stores nothing), and "unknown" is kept a minute in this isolate, in
 * the colo's Cache API and in the memory every isolate shares through the
 * SharedHealth object (shared-unknown-keys.ts: the one that works on a
 * workers.dev address), so repeating a bad key reads the store about once a
 * minute at most, and never gives the key an object with stored state.
 */
const UNKNOWN_TTL_SECONDS = 60;
const UNKNOWN_CACHE_PREFIX = 'https://key-gate.internal/unknown/';
/** Bounds the isolate's memory under a flood of made-up keys. */
const UNKNOWN_MAX_ENTRIES = 10_000;
const PUSH_DELAYS_MS = [50, 250];

/** Per isolate: unproven keys the store had → until when their object is asked first (epoch ms). */
const legacyKeysSeen = new Map<string, number>();
const LEGACY_SEEN_MS = 10 * 60_000;
/** Per isolate: unproven keys the store did not have → until when they are refused without asking it again. */
const unprovenUnknown = new Map<string, number>();

/** Per isolate: keys whose copy is being refreshed from the store right now → since when (a hung one stops counting after REFRESH_HELD_MS). */
const refreshing = new Map<string, number>();
const REFRESH_HELD_MS = 30_000;

/**
 * Per isolate: the last copy of each recently seen key its object answered with. Holding it lets
 * the object answer an allowed request with a number (QuotaCounter.consumeHeld): it still checks
 * the key every request; the copy only spares sending the key's fields back.
 */
const heldCopies = new Map<string, KeySnapshot>();
const HELD_COPIES = 512;

/** Per isolate: key hash → until when it is known not to exist (epoch ms). */
export type UnknownKeys = Map<string, number>;
const isolateUnknownKeys: UnknownKeys = new Map();

export interface KeyGateOptions {
  logger?: Logger;
  /** Tests give each "isolate" its own. */
  unknownKeys?: UnknownKeys;
  /** The colo's Cache API; null leaves it out. */
  edgeCache?: Cache | null;
  /** The unknown-key memory shared by every isolate (the SharedHealth object); absent leaves it out. */
  sharedUnknownKeys?: SharedUnknownKeys | null;
}

export interface Admission {
  keyHash: string;
  key: KeySnapshot;
  limit: number;
  remaining: number;
  resetSeconds: number;
  day: string;
}

export function toSnapshot(record: ApiKeyRecord): KeySnapshot {
  return {
    id: record.id,
    tier: record.tier,
    daily_limit: record.daily_limit,
    expires_at: record.expires_at ? record.expires_at.getTime() : null,
    active: record.active,
    version: record.version,
  };
}

export interface AdmitOptions {
  consume: boolean;
  /**
   * A file read in byte ranges under one name (Shruti's /download): a consuming request
   * makes the read known; another request counts only if the read is new.
   */
  link?: { id: string; expiresAt: number };
  /**
   * The key carries no proof (quota/key-proof.ts): issued before proofs, imported from the
   * original service, or made up. Its object is not asked before the store has the key
   * (so a made-up key creates none), and `beforeLookup` (the IP limiter) runs before the
   * store is read. A key the store had is then remembered in this isolate a while.
   */
  unproven?: { beforeLookup: () => Promise<void> };
}

export class KeyGate {
  private readonly unknownKeys: UnknownKeys;

  constructor(
    private readonly counters: DurableObjectNamespace<QuotaCounter>,
    private readonly store: () => MetadataStore,
    private readonly background: (work: Promise<unknown>) => void,
    private readonly options: KeyGateOptions = {},
  ) {
    this.unknownKeys = options.unknownKeys ?? isolateUnknownKeys;
  }

  private counter(keyHash: string): DurableObjectStub<QuotaCounter> {
    return this.counters.getByName(keyHash);
  }

  /** Counts one request against the key, or throws the reason it may not. */
  async admit(keyHash: string, nowMs: number, options: AdmitOptions = { consume: true }): Promise<Admission & { firstUse?: boolean }> {
    if ((this.unknownKeys.get(keyHash) ?? 0) > Date.now()) return this.settle(keyHash, { kind: 'invalid' }, nowMs);
    const counter = this.counter(keyHash);
    const { link } = options;
    if (options.unproven && (legacyKeysSeen.get(keyHash) ?? 0) <= Date.now()) return this.admitUnproven(keyHash, nowMs, options, options.unproven);
    // With a link: a consuming request makes it known, any other counts only as the link's first use.
    const ask = (record?: KeySnapshot | null): Promise<ConsumeOutcome> =>
      link ? (options.consume ? counter.consumeNotingLink(nowMs, link.id, link.expiresAt, record) : counter.useLink(nowMs, link.id, link.expiresAt, record)) : counter.consume(nowMs, record);
    if (link) {
      let outcome = await ask();
      if (outcome.kind === 'unknown') {
        const record = (await this.knownUnknownAtEdge(keyHash)) ? null : await this.store().getKeyByHash(keyHash);
        if (!record) {
          this.rememberUnknown(keyHash);
          return this.settle(keyHash, { kind: 'invalid' }, nowMs);
        }
        outcome = await ask(toSnapshot(record));
      }
      return { ...this.settle(keyHash, outcome, nowMs), firstUse: outcome.kind === 'allowed' && outcome.firstUse === true };
    }
    let outcome: ConsumeOutcome = options.consume ? await this.consumeHolding(counter, keyHash, nowMs) : await counter.check(nowMs);
    if (outcome.kind === 'unknown') {
      const record = (await this.knownUnknownAtEdge(keyHash)) ? null : await this.store().getKeyByHash(keyHash);
      if (!record) {
        this.rememberUnknown(keyHash);
        return this.settle(keyHash, { kind: 'invalid' }, nowMs);
      }
      const snapshot = toSnapshot(record);
      outcome = options.consume ? await counter.consume(nowMs, snapshot) : (await counter.remember(snapshot, nowMs), await counter.check(nowMs));
    }
    return this.settle(keyHash, outcome, nowMs);
  }

  /** One counted request, answered by number when this isolate holds the key's copy at the object's version. */
  private async consumeHolding(counter: DurableObjectStub<QuotaCounter>, keyHash: string, nowMs: number): Promise<ConsumeOutcome> {
    const held = heldCopies.get(keyHash);
    const answer = held ? await counter.consumeHeld(nowMs, held.version ?? 0) : await counter.consume(nowMs);
    if (typeof answer === 'number') {
      return { kind: 'allowed', key: held!, limit: held!.daily_limit, used: answer, resetAt: nextIstMidnight(nowMs), day: istDay(nowMs), stale: false };
    }
    if ('key' in answer) {
      heldCopies.delete(keyHash);
      heldCopies.set(keyHash, answer.key);
      if (heldCopies.size > HELD_COPIES) heldCopies.delete(heldCopies.keys().next().value!);
    }
    return answer;
  }

  /** An unproven key not seen in this isolate lately: the IP limiter, the store, and only then its object. */
  private async admitUnproven(keyHash: string, nowMs: number, options: AdmitOptions, unproven: { beforeLookup: () => Promise<void> }): Promise<Admission & { firstUse?: boolean }> {
    await unproven.beforeLookup();
    // Its own memory, in this isolate only: a made-up key writes nothing anywhere (no cache entry, no object).
    const record = (unprovenUnknown.get(keyHash) ?? 0) > Date.now() ? null : await this.store().getKeyByHash(keyHash);
    if (!record) {
      if (unprovenUnknown.size >= UNKNOWN_MAX_ENTRIES) unprovenUnknown.delete(unprovenUnknown.keys().next().value!);
      unprovenUnknown.set(keyHash, Date.now() + UNKNOWN_TTL_SECONDS * 1000);
      return this.settle(keyHash, { kind: 'invalid' }, nowMs);
    }
    unprovenUnknown.delete(keyHash);
    if (legacyKeysSeen.size >= UNKNOWN_MAX_ENTRIES) legacyKeysSeen.delete(legacyKeysSeen.keys().next().value!);
    legacyKeysSeen.set(keyHash, Date.now() + LEGACY_SEEN_MS);
    const counter = this.counter(keyHash);
    const snapshot = toSnapshot(record);
    const { link } = options;
    let outcome: ConsumeOutcome;
    if (link) outcome = options.consume ? await counter.consumeNotingLink(nowMs, link.id, link.expiresAt, snapshot) : await counter.useLink(nowMs, link.id, link.expiresAt, snapshot);
    else outcome = options.consume ? await counter.consume(nowMs, snapshot) : (await counter.remember(snapshot, nowMs), await counter.check(nowMs));
    return { ...this.settle(keyHash, outcome, nowMs), ...(link ? { firstUse: outcome.kind === 'allowed' && outcome.firstUse === true } : {}) };
  }

  /**
   * A request of a stream link minted for the key: the link's first request
   * counts against the quota, its later ranges and segments only check the key.
   */
  async admitLink(keyHash: string, link: { id: string; expiresAt: number }, nowMs: number, restart?: LinkRestart): Promise<Admission & { firstUse: boolean }> {
    if ((this.unknownKeys.get(keyHash) ?? 0) > Date.now()) return { ...this.settle(keyHash, { kind: 'invalid' }, nowMs), firstUse: false };
    const counter = this.counter(keyHash);
    let outcome: ConsumeOutcome = await counter.useLink(nowMs, link.id, link.expiresAt, undefined, restart);
    if (outcome.kind === 'unknown') {
      // As admit: a key the store does not know leaves nothing behind in its object.
      const record = (await this.knownUnknownAtEdge(keyHash)) ? null : await this.store().getKeyByHash(keyHash);
      if (!record) {
        this.rememberUnknown(keyHash);
        return { ...this.settle(keyHash, { kind: 'invalid' }, nowMs), firstUse: false };
      }
      outcome = await counter.useLink(nowMs, link.id, link.expiresAt, toSnapshot(record), restart);
    }
    return { ...this.settle(keyHash, outcome, nowMs), firstUse: outcome.kind === 'allowed' && outcome.firstUse === true };
  }

  /** Undoes a link's first use: the unit back, and its next request counts again. */
  releaseLink(keyHash: string, day: string, linkId: string): Promise<void> {
    return this.counter(keyHash).releaseLink(day, linkId);
  }

  /** A place for an upload this key's request queues (quota-counter.ts `holdUpload`). */
  holdUpload(keyHash: string, uploadId: string, nowMs: number, cap: number, holdUntil: number) {
    return this.counter(keyHash).holdUpload(uploadId, nowMs, cap, holdUntil);
  }

  dropUploads(keyHash: string, uploadIds: string[]): Promise<void> {
    return this.counter(keyHash).dropUploads(uploadIds);
  }

  refund(keyHash: string, day: string): Promise<void> {
    return this.counter(keyHash).refund(day);
  }

  /**
   * An admin change reaches the key's object at once, tried again if the
   * object does not answer. Should every try fail, the object's copy is
   * refreshed from the store once it is SNAPSHOT_FRESH_MS old, at the key's
   * next request; never does an older copy replace it (versions).
   */
  async push(keyHash: string, record: ApiKeyRecord | null): Promise<boolean> {
    const snapshot = record ? toSnapshot(record) : null;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.counter(keyHash).remember(snapshot, Date.now());
        return true;
      } catch (error) {
        if (attempt >= PUSH_DELAYS_MS.length) {
          this.options.logger?.error('key.push_failed', { keyId: record?.id ?? null, error });
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, PUSH_DELAYS_MS[attempt]));
      }
    }
  }

  usage(keyHash: string, nowMs: number, days: number) {
    return this.counter(keyHash).usage(nowMs, days);
  }

  private settle(keyHash: string, outcome: ConsumeOutcome, nowMs: number): Admission {
    switch (outcome.kind) {
      case 'unknown':
      case 'invalid':
        throw new AppError('key.invalid', 'This API key is not valid.');
      case 'expired':
        if (outcome.stale) this.background(this.refresh(keyHash));
        throw new AppError('key.expired', 'This API key has expired; ask the operator for a new one.', { logDetails: { keyId: outcome.key.id } });
      case 'revoked':
        if (outcome.stale) this.background(this.refresh(keyHash));
        throw new AppError('key.revoked', 'This API key has been deactivated.', { logDetails: { keyId: outcome.key.id } });
      case 'restarts_exceeded':
        throw new AppError('stream.too_many_restarts', `This link has been started from its first byte ${outcome.max + 1} times; resolve the track again for a new link.`, {
          logDetails: { keyId: outcome.key.id },
        });
      case 'exceeded': {
        const retryAfter = secondsUntilIstMidnight(nowMs);
        throw new AppError('quota.exceeded', `This key has used its ${outcome.limit} requests for today; the quota resets at midnight India time.`, {
          headers: { 'Retry-After': String(retryAfter), ...rateLimitHeaders(outcome.limit, 0, retryAfter) },
          logDetails: { keyId: outcome.key.id },
        });
      }
      case 'allowed':
        if (outcome.stale) this.background(this.refresh(keyHash));
        return {
          keyHash,
          key: outcome.key,
          limit: outcome.limit,
          remaining: Math.max(0, outcome.limit - outcome.used),
          resetSeconds: secondsUntilIstMidnight(nowMs),
          day: outcome.day,
        };
    }
  }

  /**
   * Store down? The old copy keeps serving; the next stale hit tries again. One refresh per key
   * at a time in an isolate: the hits that find the copy stale while it runs add no store read
   * and no second object call of their own.
   */
  private async refresh(keyHash: string): Promise<void> {
    const started = Date.now();
    if ((refreshing.get(keyHash) ?? -Infinity) > started - REFRESH_HELD_MS) return;
    refreshing.set(keyHash, started);
    try {
      const record = await this.store().getKeyByHash(keyHash);
      await this.counter(keyHash).remember(record ? toSnapshot(record) : null, Date.now());
    } catch {
      // deliberately quiet: availability over freshness
    } finally {
      if (refreshing.get(keyHash) === started) refreshing.delete(keyHash);
    }
  }

  private edgeCache(): Cache | null {
    if (this.options.edgeCache !== undefined) return this.options.edgeCache;
    // CACHE_API=off (or a workers.dev address): the no-op cache, through the one door.
    return edgeCache();
  }

  private async knownUnknownAtEdge(keyHash: string): Promise<boolean> {
    if (await this.options.sharedUnknownKeys?.has(keyHash)) return true;
    const cache = this.edgeCache();
    if (!cache) return false;
    try {
      const hit = await cache.match(`${UNKNOWN_CACHE_PREFIX}${keyHash}`);
      await hit?.body?.cancel();
      return hit !== undefined;
    } catch {
      return false;
    }
  }

  private rememberUnknown(keyHash: string): void {
    if (this.unknownKeys.size >= UNKNOWN_MAX_ENTRIES) this.unknownKeys.delete(this.unknownKeys.keys().next().value!);
    this.unknownKeys.set(keyHash, Date.now() + UNKNOWN_TTL_SECONDS * 1000);
    this.options.sharedUnknownKeys?.report(keyHash, Date.now() + UNKNOWN_TTL_SECONDS * 1000, this.background);
    const cache = this.edgeCache();
    if (!cache) return;
    const marker = new Response(null, { headers: { 'Cache-Control': `max-age=${UNKNOWN_TTL_SECONDS}` } });
    this.background(cache.put(`${UNKNOWN_CACHE_PREFIX}${keyHash}`, marker).catch(() => undefined));
  }
}

export function rateLimitHeaders(limit: number, remaining: number, resetSeconds: number): Record<string, string> {
  return { 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': String(resetSeconds) };
}
