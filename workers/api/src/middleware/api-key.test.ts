import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Config } from '../config';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import type { Admission, KeyGate } from '../quota/key-gate';
import { apiKey } from './api-key';
import { handleError } from './error-handler';
import { rateLimit } from './rate-limit';

const KNOWN = '11111111-2222-4333-8444-555555555555';

/** As strict as the binding: `limit` calls per key, then success: false. */
function limiter(limit: number) {
  const counts = new Map<string, number>();
  return {
    counts,
    async limit({ key }: { key: string }) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return { success: counts.get(key)! <= limit };
    },
  };
}

function setup(answer: (c: any) => Response) {
  const refunds: string[] = [];
  const gate = {
    async admit(keyHash: string): Promise<Admission> {
      if (keyHash !== (await sha256(KNOWN))) throw new AppError('key.invalid', 'This API key is not valid.');
      return { keyHash, key: { id: 'known1', tier: 'user', daily_limit: 10, expires_at: null, active: true, version: 1 }, limit: 10, remaining: 9, resetSeconds: 60, day: '2026-12-01' };
    },
    async refund(_keyHash: string, day: string) {
      refunds.push(day);
    },
  } as unknown as KeyGate;
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('config', { REQUIRE_API_KEY: true, RATE_LIMIT_PER_MINUTE: 100, KEY_RATE_LIMIT_PER_MINUTE: 600, TRUST_FORWARDED_FOR: false, TRUSTED_PROXY_HOPS: 1 } as Config);
    c.set('keyGate', gate);
    await next();
  });
  app.use(apiKey(), rateLimit());
  app.get('/v1/x', answer);
  app.onError(handleError);
  const ip = limiter(3);
  const key = limiter(2);
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (work: Promise<unknown>) => waits.push(work), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  const call = async (headers: Record<string, string>) => {
    const response = await app.request('/v1/x', { headers: { 'CF-Connecting-IP': '192.0.2.1', ...headers } }, { IP_RATE_LIMITER: ip, KEY_RATE_LIMITER: key }, ctx);
    await Promise.all(waits);
    return response;
  };
  return { call, refunds, ip, key };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

describe('apiKey', () => {
  it('counts missing, malformed and unknown keys against the IP', async () => {
    const { call, ip } = setup((c) => c.text('ok'));
    const statuses = [];
    const attempts: Array<Record<string, string>> = [{}, { 'X-API-Key': 'nope' }, { 'X-API-Key': crypto.randomUUID() }, { 'X-API-Key': crypto.randomUUID() }];
    for (const headers of attempts) {
      statuses.push((await call(headers)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(ip.counts.get('192.0.2.1')).toBe(4);
  });

  it('limits a known key per key, and gives a rate-limited request its quota back', async () => {
    const { call, refunds, ip } = setup((c) => c.text('ok'));
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await call({ 'X-API-Key': KNOWN })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(refunds).toEqual(['2026-12-01']);
    expect(ip.counts.size).toBe(0);
  });

  it('gives the quota back for a failure on our side', async () => {
    const { call, refunds } = setup(() => {
      throw new AppError('upstream.failed', 'down');
    });
    expect((await call({ 'X-API-Key': KNOWN })).status).toBe(502);
    expect(refunds).toEqual(['2026-12-01']);
  });
});
