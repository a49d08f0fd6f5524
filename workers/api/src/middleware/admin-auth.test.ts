import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { loadConfig } from '../config';
import type { KeyGate } from '../quota/key-gate';
import { sha256Hex } from '../../../core/src/hash';
import { adminAuth } from './admin-auth';
import { handleError } from './error-handler';

const ADMIN = 'unit-test-admin-key-0123456789';
const USER_KEY = '11111111-2222-4333-8444-555555555555';
const ADMIN_TIER_KEY = '66666666-7777-4888-9999-aaaaaaaaaaaa';

/** The key gate as the middleware sees it: two known keys, one of each tier; what it is asked is recorded. */
async function app() {
  const tiers = new Map([[await sha256Hex(USER_KEY), 'user'], [await sha256Hex(ADMIN_TIER_KEY), 'admin']]);
  const consumed: boolean[] = [];
  const keyGate = {
    async admit(keyHash: string, _now: number, options: { consume: boolean }) {
      consumed.push(options.consume);
      return { key: { id: 'k', tier: tiers.get(keyHash) }, limit: 10, remaining: 10, resetSeconds: 60, day: '2026-12-01' };
    },
  } as unknown as KeyGate;
  const hono = new Hono<AppEnv>();
  hono.use(async (c, next) => {
    c.set('config', loadConfig({ STREAM_SIGNING_KEY: 'unit-test-signing-key-0123', ADMIN_API_KEY: ADMIN }));
    c.set('keyGate', keyGate);
    await next();
  });
  hono.use('/admin/*', adminAuth());
  hono.get('/admin/keys', (c) => c.json(c.get('principal')));
  hono.onError(handleError);
  // The Worker always has its bindings; here none, so no rate limiter counts.
  return { consumed, request: (key?: string) => hono.request('/admin/keys', { headers: key ? { 'X-API-Key': key } : {} }, {}) };
}

describe('adminAuth', () => {
  it('lets in ADMIN_API_KEY and admin-tier keys, without using up their quota', async () => {
    const { consumed, request } = await app();
    expect(await (await request(ADMIN)).json()).toMatchObject({ kind: 'bootstrap', tier: 'admin' });
    expect(await (await request(ADMIN_TIER_KEY)).json()).toMatchObject({ kind: 'key', tier: 'admin' });
    expect(consumed).toEqual([false]);
  });

  it('refuses a user key with 403 key.forbidden, and no key with 401 key.missing', async () => {
    const { request } = await app();
    const user = await request(USER_KEY);
    expect([user.status, user.headers.get('X-Error-Code')]).toEqual([403, 'key.forbidden']);
    const none = await request();
    expect([none.status, none.headers.get('X-Error-Code')]).toEqual([401, 'key.missing']);
  });
});
