import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { loadConfig } from '../config';
import type { Config } from '../config';
import type { Admission, KeyGate } from '../quota/key-gate';
import { sha256Hex } from '../../../core/src/hash';
import { AppError } from '../../../core/src/errors';
import { createLogger } from '../../../core/src/logging/logger';
import { apiKey } from './api-key';
import { handleError } from './error-handler';
import { rateLimit } from './rate-limit';
import { fakeLimiter } from '../../../../test/support/fake-limiter';

const KEY = '2f0c5a4e-9b1d-4c3e-8f7a-6b5d4c3e2f1a';
const ADMIN = 'unit-test-admin-key-0123456789';

/** The key gate as the middleware sees it: one known key, whose admissions and refunds are recorded. */
function gate(knownHash: string) {
  const calls: string[] = [];
  const fake = {
    async admit(keyHash: string, _now: number, options: { consume: boolean }) {
      calls.push(`admit ${keyHash === knownHash ? 'known' : 'other'} consume=${options.consume}`);
      if (keyHash !== knownHash) throw new AppError('key.invalid', 'This API key is not valid.');
      return { keyHash, key: { id: 'k1', tier: 'user', daily_limit: 10, expires_at: null, active: true }, limit: 10, remaining: 9, resetSeconds: 60, day: '2026-12-01' };
    },
    async refund(keyHash: string, day: string) {
      calls.push(`refund ${keyHash === knownHash ? 'known' : 'other'} ${day}`);
    },
  };
  return { calls, gate: fake as unknown as KeyGate };
}

async function app(settings: Record<string, string> = {}) {
  const { calls, gate: keyGate } = gate(await sha256Hex(KEY));
  const waits: Promise<unknown>[] = [];
  const hono = new Hono<AppEnv>();
  hono.use(async (c, next) => {
    c.set('config', loadConfig({ STREAM_SIGNING_KEY: 'unit-test-signing-key-0123', ADMIN_API_KEY: ADMIN, ...settings }));
    c.set('keyGate', keyGate);
    c.set('logger', createLogger({ level: 'error', format: 'json', sink: () => {} }));
    await next();
  });
  hono.use(apiKey());
  hono.get('/v1/ok', (c) => c.json(c.get('principal') ?? null));
  hono.get('/v1/broken', () => {
    throw new AppError('upstream.failed', 'YouTube did not answer.');
  });
  hono.onError(handleError);
  const ctx = { waitUntil: (work: Promise<unknown>) => void waits.push(work), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  const request = async (path: string, headers: Record<string, string> = {}) => {
    const response = await hono.request(path, { headers }, {}, ctx);
    await Promise.all(waits);
    return response;
  };
  return { calls, request };
}

describe('apiKey', () => {
  it('takes the key from X-API-Key, Bearer, ?api_key= or ?api=, and counts each request', async () => {
    const { calls, request } = await app();
    for (const [path, headers] of [['/v1/ok', { 'X-API-Key': KEY }], ['/v1/ok', { Authorization: `Bearer ${KEY}` }], [`/v1/ok?api_key=${KEY}`, {}], [`/v1/ok?api=${KEY.toUpperCase()}`, {}]] as const) {
      const answer = await request(path, headers);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ kind: 'key', keyId: 'k1', tier: 'user' });
      expect(answer.headers.get('RateLimit-Remaining')).toBe('9');
    }
    expect(calls).toEqual(Array(4).fill('admit known consume=true'));
  });

  it('refuses no key (401 key.missing) and a key of the wrong shape (401 key.invalid) without asking the gate', async () => {
    const { calls, request } = await app();
    expect((await request('/v1/ok')).headers.get('X-Error-Code')).toBe('key.missing');
    expect((await request('/v1/ok', { 'X-API-Key': 'not-a-key' })).headers.get('X-Error-Code')).toBe('key.invalid');
    expect(calls).toEqual([]);
  });

  it('gives the quota back when the request fails on our side (5xx)', async () => {
    const { calls, request } = await app();
    expect((await request('/v1/broken', { 'X-API-Key': KEY })).status).toBe(502);
    expect(calls).toEqual(['admit known consume=true', 'refund known 2026-12-01']);
  });

  it('lets the bootstrap ADMIN_API_KEY in without a quota, and everyone in with REQUIRE_API_KEY=false', async () => {
    const admin = await app();
    expect(await (await admin.request('/v1/ok', { 'X-API-Key': ADMIN })).json()).toMatchObject({ kind: 'bootstrap', tier: 'admin' });
    expect(admin.calls).toEqual([]);
    const open = await app({ REQUIRE_API_KEY: 'false' });
    expect((await open.request('/v1/ok')).status).toBe(200);
  });
});

const KNOWN = '11111111-2222-4333-8444-555555555555';

function limitedApp(answer: (c: any) => Response) {
  const refunds: string[] = [];
  const gate = {
    async admit(keyHash: string): Promise<Admission> {
      if (keyHash !== (await sha256Hex(KNOWN))) throw new AppError('key.invalid', 'This API key is not valid.');
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
  const ip = fakeLimiter(3);
  const key = fakeLimiter(2);
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (work: Promise<unknown>) => waits.push(work), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  const call = async (headers: Record<string, string>) => {
    const response = await app.request('/v1/x', { headers: { 'CF-Connecting-IP': '192.0.2.1', ...headers } }, { IP_RATE_LIMITER: ip, KEY_RATE_LIMITER: key }, ctx);
    await Promise.all(waits);
    return response;
  };
  return { call, refunds, ip, key };
}

describe('apiKey with the rate limits after it', () => {
  it('counts missing, malformed and unknown keys against the IP', async () => {
    const { call, ip } = limitedApp((c) => c.text('ok'));
    const statuses = [];
    const attempts: Array<Record<string, string>> = [{}, { 'X-API-Key': 'nope' }, { 'X-API-Key': crypto.randomUUID() }, { 'X-API-Key': crypto.randomUUID() }];
    for (const headers of attempts) {
      statuses.push((await call(headers)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(ip.counts.get('192.0.2.1')).toBe(4);
  });

  it('limits a known key per key, and gives a rate-limited request its quota back', async () => {
    const { call, refunds, ip } = limitedApp((c) => c.text('ok'));
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await call({ 'X-API-Key': KNOWN })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(refunds).toEqual(['2026-12-01']);
    expect(ip.counts.size).toBe(0);
  });

  it('gives the quota back for a failure on our side', async () => {
    const { call, refunds } = limitedApp(() => {
      throw new AppError('upstream.failed', 'down');
    });
    expect((await call({ 'X-API-Key': KNOWN })).status).toBe(502);
    expect(refunds).toEqual(['2026-12-01']);
  });
});
