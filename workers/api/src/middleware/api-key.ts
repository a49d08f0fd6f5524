import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, Principal } from '../env';
import { AppError } from '../../../core/src/errors';
import { sha256, toHex } from '../../../core/src/hash';
import type { AdmitOptions } from '../quota/key-gate';
import { carriesProof, proofSecretsOf } from '../quota/key-proof';
import { limitIp, refuseCountingIp } from './rate-limit';
import { setAnswerHeader } from './answer-headers';

/**
 * Requires an API key and counts the request against its daily quota. The key
 * may come as `X-API-Key` (any letter case, as every HTTP header),
 * `Authorization: Bearer`, or the query parameters `api_key` (the original
 * service's), `api` and `key` (what other bots send). A base URL of the form
 * `/k/<key>/…` arrives here as `X-API-Key` (see key-path-prefix.ts).
 * A request that fails on our side (5xx) or is rate-limited gives its quota back.
 * A missing or unknown key is counted against the client IP's rate limit.
 * A key without proof of issue (quota/key-proof.ts) is counted there before
 * the store is asked about it, and refused outright with LEGACY_KEY_LOOKUP=false.
 */
const KEY_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function presentedKey(c: Context<AppEnv>): string | null {
  const header = c.req.header('X-API-Key')?.trim();
  if (header) return header;
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1]?.trim();
  if (bearer) return bearer;
  return c.req.query('api_key')?.trim() || c.req.query('api')?.trim() || c.req.query('key')?.trim() || null;
}

const digests = new Map<string, Promise<ArrayBuffer>>();
/** A bot sends the same key request after request: its digest is kept (for the last few hundred keys seen) instead of recomputed. */
const REMEMBERED_KEYS = 512;

/** SHA-256 of a secret, computed once per isolate for the admin key and for recently seen well-formed keys. */
function digestOf(text: string, remember = false): Promise<ArrayBuffer> {
  const cached = digests.get(text);
  if (cached) return cached;
  const digest = sha256(text);
  if (remember) {
    digests.set(text, digest);
    if (digests.size > REMEMBERED_KEYS) digests.delete(digests.keys().next().value!);
  }
  return digest;
}

/**
 * What a key's own text tells, worked out once per isolate for the last few hundred keys seen:
 * its hash, whether it is the bootstrap admin key (against the ADMIN_API_KEY compared then), and
 * whether it carries a proof (under the secrets list checked then). A bot sends one key request
 * after request; its object is still asked every time (revocation, expiry, quota).
 */
interface KeyFacts {
  adminKey: string | undefined;
  admin: boolean;
  secrets: string[];
  proven: boolean;
  keyHash: string;
}
const keyFacts = new Map<string, KeyFacts>();

async function factsOf(key: string, adminKey: string | undefined, secrets: string[]): Promise<KeyFacts> {
  const known = keyFacts.get(key);
  if (known && known.adminKey === adminKey && known.secrets === secrets) return known;
  // The presented key's digest serves both the constant-time admin check and, usually, the key's hash.
  const digest = await digestOf(key, true);
  const admin = adminKey ? crypto.subtle.timingSafeEqual(digest, await digestOf(adminKey, true)) : false;
  const proven = !admin && (await carriesProof(key, secrets));
  const lower = key.toLowerCase();
  const facts = { adminKey, admin, secrets, proven, keyHash: toHex(lower === key ? digest : await digestOf(lower)) };
  keyFacts.set(key, facts);
  if (keyFacts.size > REMEMBERED_KEYS) keyFacts.delete(keyFacts.keys().next().value!);
  return facts;
}

/** Identifies the caller: the bootstrap admin key, or a key checked (and counted) by its QuotaCounter. */
export async function authenticate(c: Context<AppEnv>, options: AdmitOptions): Promise<{ principal: Principal; day?: string; firstUse?: boolean }> {
  const key = presentedKey(c);
  if (!key) return refuseCountingIp(c, new AppError('key.missing', 'Send your API key as X-API-Key, Authorization: Bearer, or ?api_key=.'));
  const config = c.get('config');
  const adminKey = config.ADMIN_API_KEY;
  if (!KEY_SHAPE.test(key)) {
    // Not key-shaped: only the admin key can be it. Its digest is not remembered (anything may be sent here).
    if (adminKey && crypto.subtle.timingSafeEqual(await digestOf(key), await digestOf(adminKey, true))) {
      return { principal: { kind: 'bootstrap', keyId: 'admin', keyHash: null, tier: 'admin' } };
    }
    return refuseCountingIp(c, new AppError('key.invalid', 'This API key is not valid.'));
  }
  // A key this service issued proves itself; one without proof is older, imported, or made up.
  const { admin, proven, keyHash } = await factsOf(key, adminKey, proofSecretsOf(config));
  if (admin) return { principal: { kind: 'bootstrap', keyId: 'admin', keyHash: null, tier: 'admin' } };
  if (!proven && config.LEGACY_KEY_LOOKUP === false) return refuseCountingIp(c, new AppError('key.invalid', 'This API key is not valid.'));
  let ipCounted = false;
  const admitOptions: AdmitOptions = proven ? options : { ...options, unproven: { beforeLookup: () => ((ipCounted = true), limitIp(c)) } };
  const admission = await c.get('keyGate').admit(keyHash, Date.now(), admitOptions).catch(async (error: unknown) => {
    const keyId = error instanceof AppError ? error.logDetails?.keyId : undefined;
    if (typeof keyId === 'string') c.set('refusedKeyId', keyId);
    if (error instanceof AppError && error.code === 'key.invalid' && !ipCounted) await limitIp(c);
    throw error;
  });
  setAnswerHeader(c, 'RateLimit-Limit', String(admission.limit));
  setAnswerHeader(c, 'RateLimit-Remaining', String(admission.remaining));
  setAnswerHeader(c, 'RateLimit-Reset', String(admission.resetSeconds));
  return { principal: { kind: 'key', keyId: admission.key.id, keyHash, tier: admission.key.tier }, day: admission.day, firstUse: admission.firstUse };
}

/**
 * Answers that are 5xx yet cost us the work a client asked for (the t.me shapes' upload,
 * queued and running): never refunded, or a key could queue uploads for free.
 */
const KEPT_CHARGES = new Set(['telegram.upload_pending', 'telegram.upload_failed']);

export interface ApiKeyOptions {
  /**
   * Whether this request spends quota (default: always). A route that answers
   * a file with byte ranges counts only the request for its first byte, so a
   * player that reads a track in many ranges spends one request, not one per range.
   */
  consumes?: (c: Context<AppEnv>) => boolean;
  /**
   * The file this request reads, when it is read in ranges under one name: a request that
   * does not spend quota by itself still does when it is the first of its read (a range of
   * a track never started from byte 0 resolves it all the same), and sets `firstRead`.
   */
  read?: (c: Context<AppEnv>) => Promise<{ id: string; expiresAt: number }>;
}

export function apiKey(options: ApiKeyOptions = {}) {
  return createMiddleware<AppEnv>(async function apiKey(c, next) {
    if (!c.get('config').REQUIRE_API_KEY) return next();
    const consume = options.consumes?.(c) ?? true;
    const link = options.read ? await options.read(c) : undefined;
    const { principal, day, firstUse } = await authenticate(c, { consume, link });
    if (firstUse) c.set('firstRead', true);
    c.set('principal', principal);
    await next();
    const code = c.res.headers.get('X-Error-Code');
    const refused = (c.res.status >= 500 && !KEPT_CHARGES.has(code ?? '')) || code === 'rate.limited';
    if (refused && !c.get('keepCharge') && principal.keyHash && day && (consume || firstUse)) {
      c.executionCtx.waitUntil(c.get('keyGate').refund(principal.keyHash, day));
    }
  });
}
