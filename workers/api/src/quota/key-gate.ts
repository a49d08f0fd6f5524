import { AppError } from '../../../core/src/errors';
import type { Logger } from '../../../core/src/logging/logger';
import type { ApiKeyRecord, MetadataStore } from '../../../core/src/store/types';
import { secondsUntilIstMidnight } from './ist-calendar';
import type { ConsumeOutcome, KeySnapshot, QuotaCounter } from './quota-counter';
import { edgeCache } from '../../../core/src/cache/edge-cache';

/**
 * The key check of the hot path: one call to the key's QuotaCounter. The
 * store is asked only when the object has never seen the key, and refreshed
 * in the background when its copy grows old (also a refused key's copy, so a
 * reactivation whose push was lost still arrives).
 *
 * A key the store does not know leaves nothing behind: its object is asked
 * (and stores nothing), and "unknown" is kept a minute in this isolate and in
 * the colo's Cache API, so repeating a bad key reads the store once a minute
 * per colo at most, and never gives the key an object with stored state.
 */
const UNKNOWN_TTL_SECONDS = 60;
const UNKNOWN_CACHE_PREFIX = 'https://key-gate.internal/unknown/';
/** Bounds the isolate's memory under a flood of made-up keys. */
const UNKNOWN_MAX_ENTRIES = 10_000;
const PUSH_DELAYS_MS = [50, 250];

/** Per isolate: key hash → until when it is known not to exist (epoch ms). */
export type UnknownKeys = Map<string, number>;
const isolateUnknownKeys: UnknownKeys = new Map();

export interface KeyGateOptions {
  logger?: Logger;
  /** Tests give each "isolate" its own. */
  unknownKeys?: UnknownKeys;
  /** The colo's Cache API; null leaves it out. */
  edgeCache?: Cache | null;
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
    let outcome: ConsumeOutcome = options.consume ? await counter.consume(nowMs) : await counter.check(nowMs);
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

  /**
   * A request of a stream link minted for the key: the link's first request
   * counts against the quota, its later ranges and segments only check the key.
   */
  async admitLink(keyHash: string, link: { id: string; expiresAt: number }, nowMs: number): Promise<Admission & { firstUse: boolean }> {
    if ((this.unknownKeys.get(keyHash) ?? 0) > Date.now()) return { ...this.settle(keyHash, { kind: 'invalid' }, nowMs), firstUse: false };
    const counter = this.counter(keyHash);
    let outcome: ConsumeOutcome = await counter.useLink(nowMs, link.id, link.expiresAt);
    if (outcome.kind === 'unknown') {
      // As admit: a key the store does not know leaves nothing behind in its object.
      const record = (await this.knownUnknownAtEdge(keyHash)) ? null : await this.store().getKeyByHash(keyHash);
      if (!record) {
        this.rememberUnknown(keyHash);
        return { ...this.settle(keyHash, { kind: 'invalid' }, nowMs), firstUse: false };
      }
      outcome = await counter.useLink(nowMs, link.id, link.expiresAt, toSnapshot(record));
    }
    return { ...this.settle(keyHash, outcome, nowMs), firstUse: outcome.kind === 'allowed' && outcome.firstUse === true };
  }

  /** Undoes a link's first use: the unit back, and its next request counts again. */
  releaseLink(keyHash: string, day: string, linkId: string): Promise<void> {
    return this.counter(keyHash).releaseLink(day, linkId);
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

  /** Store down? The old copy keeps serving; the next stale hit tries again. */
  private async refresh(keyHash: string): Promise<void> {
    try {
      const record = await this.store().getKeyByHash(keyHash);
      await this.counter(keyHash).remember(record ? toSnapshot(record) : null, Date.now());
    } catch {
      // deliberately quiet: availability over freshness
    }
  }

  private edgeCache(): Cache | null {
    if (this.options.edgeCache !== undefined) return this.options.edgeCache;
    // CACHE_API=off (or a workers.dev address): the no-op cache, through the one door.
    return edgeCache();
  }

  private async knownUnknownAtEdge(keyHash: string): Promise<boolean> {
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
    const cache = this.edgeCache();
    if (!cache) return;
    const marker = new Response(null, { headers: { 'Cache-Control': `max-age=${UNKNOWN_TTL_SECONDS}` } });
    this.background(cache.put(`${UNKNOWN_CACHE_PREFIX}${keyHash}`, marker).catch(() => undefined));
  }
}

export function rateLimitHeaders(limit: number, remaining: number, resetSeconds: number): Record<string, string> {
  return { 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': String(resetSeconds) };
}
