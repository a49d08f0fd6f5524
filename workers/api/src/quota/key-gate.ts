import { AppError } from '../../../core/src/errors';
import type { ApiKeyRecord, MetadataStore } from '../../../core/src/store/types';
import { secondsUntilIstMidnight } from './ist-calendar';
import type { ConsumeOutcome, KeySnapshot, QuotaCounter } from './quota-counter';

/**
 * The key check of the hot path: one call to the key's QuotaCounter. The
 * store is asked only when the object has never seen the key, and refreshed
 * in the background when its copy grows old.
 */
export interface Admission {
  keyHash: string;
  key: KeySnapshot;
  limit: number;
  remaining: number;
  resetSeconds: number;
  day: string;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function toSnapshot(record: ApiKeyRecord): KeySnapshot {
  return {
    id: record.id,
    tier: record.tier,
    daily_limit: record.daily_limit,
    expires_at: record.expires_at ? record.expires_at.getTime() : null,
    active: record.active,
  };
}

export class KeyGate {
  constructor(
    private readonly counters: DurableObjectNamespace<QuotaCounter>,
    private readonly store: () => MetadataStore,
    private readonly background: (work: Promise<unknown>) => void,
  ) {}

  private counter(keyHash: string): DurableObjectStub<QuotaCounter> {
    return this.counters.getByName(keyHash);
  }

  /** Counts one request against the key, or throws the reason it may not. */
  async admit(keyHash: string, nowMs: number, options: { consume: boolean } = { consume: true }): Promise<Admission> {
    const counter = this.counter(keyHash);
    let outcome: ConsumeOutcome = options.consume ? await counter.consume(nowMs) : await counter.check(nowMs);
    if (outcome.kind === 'unknown') {
      const record = await this.store().getKeyByHash(keyHash);
      const snapshot = record ? toSnapshot(record) : null;
      outcome = options.consume ? await counter.consume(nowMs, snapshot) : (await counter.remember(snapshot, nowMs), await counter.check(nowMs));
    }
    return this.settle(keyHash, outcome, nowMs);
  }

  /**
   * A request of a stream link minted for the key: the link's first request
   * counts against the quota, its later ranges and segments only check the key.
   */
  async admitLink(keyHash: string, link: { id: string; expiresAt: number }, nowMs: number): Promise<Admission & { firstUse: boolean }> {
    const counter = this.counter(keyHash);
    let outcome: ConsumeOutcome = await counter.useLink(nowMs, link.id, link.expiresAt);
    if (outcome.kind === 'unknown') {
      const record = await this.store().getKeyByHash(keyHash);
      outcome = await counter.useLink(nowMs, link.id, link.expiresAt, record ? toSnapshot(record) : null);
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

  /** An admin change reaches the key's object at once. */
  async push(keyHash: string, record: ApiKeyRecord | null): Promise<void> {
    await this.counter(keyHash).remember(record ? toSnapshot(record) : null, Date.now());
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
        throw new AppError('key.expired', 'This API key has expired; ask the operator for a new one.', { logDetails: { keyId: outcome.key.id } });
      case 'revoked':
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
      await this.push(keyHash, record);
    } catch {
      // deliberately quiet: availability over freshness
    }
  }
}

export function rateLimitHeaders(limit: number, remaining: number, resetSeconds: number): Record<string, string> {
  return { 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': String(resetSeconds) };
}
