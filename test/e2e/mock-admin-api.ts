import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-memory stand-in for the API Worker's admin API (issue 4's contract), for
 * developing the dashboard and for `E2E_MOCK=1 npm run test:e2e` before the real
 * admin API exists. It answers CORS for one origin, like DASHBOARD_ORIGIN.
 * Unlike the real Worker it logs only public routes, so a fresh mock shows the
 * dashboard's empty state after sign-in.
 */
interface KeyRecord {
  id: string; key: string; name: string; tier: 'user' | 'admin'; daily_limit: number; created_at: number;
  expires_at: number | null; active: boolean; last_used_at: number | null; total_used: number;
}
interface LogRecord {
  request_id: string; time: number; endpoint: string; method: string; key_id: string | null; client_ip: string;
  status: number; error_code: string | null; duration_ms: number; query: string | null; colo: string; cache: 'hit' | 'miss' | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const IST = 5.5 * HOUR;
const istDate = (time: number) => new Date(time + IST).toISOString().slice(0, 10);

export async function startMockAdminApi(options: { adminKey: string; allowedOrigin: string; port?: number }) {
  const keys = new Map<string, KeyRecord>();
  const logs: LogRecord[] = [];
  const cache = [
    { video_id: 'M4gD1WSo5mA', type: 'audio', status: 'ready', title: 'A cached track', size: 3_456_789, mime: 'audio/mp4', cached_at: iso(Date.now() - 3 * HOUR), claimed_at: null, failure_reason: null, expires_at: iso(Date.now() + 27 * DAY) },
    { video_id: 'dQw4w9WgXcQ', type: 'audio', status: 'pending', title: null, size: null, mime: null, cached_at: null, claimed_at: iso(Date.now() - 60_000), failure_reason: null, expires_at: null },
    { video_id: 'iuevw6218F0', type: 'audio', status: 'failed', title: '<b>Not markup</b>', size: null, mime: null, cached_at: null, claimed_at: iso(Date.now() - HOUR), failure_reason: 'telegram: file is too big', expires_at: null },
  ];

  // GET /health?deep=true's YouTube clients; POST /__mock/youtube-client {name, state, code} steers one.
  const clients = ['VISIONOS', 'ANDROID_VR', 'IOS'].map((name, index) => ({
    name, state: index === 0 ? 'ok' : 'unused', last_success_at: index === 0 ? iso(Date.now() - 60_000) : null,
    last_failure: null as { at: string; code: string } | null, attempts_1h: index === 0 ? 12 : 0, success_rate_1h: index === 0 ? 1 : null,
    cooling_off_until: null as string | null, consecutive_failures: 0,
  }));

  const view = (k: KeyRecord) => {
    const now = Date.now();
    const status = !k.active ? 'revoked' : k.expires_at !== null && k.expires_at <= now ? 'expired' : 'active';
    const usedToday = logs.filter((l) => l.key_id === k.id && l.status < 500 && istDate(l.time) === istDate(now) && l.error_code === null).length;
    const { key: _secret, ...rest } = k;
    return { ...rest, created_at: iso(k.created_at), expires_at: k.expires_at === null ? null : iso(k.expires_at), last_used_at: k.last_used_at === null ? null : iso(k.last_used_at), status, used_today: usedToday };
  };

  const server = createServer(async (req, res) => {
    const origin = req.headers.origin;
    if (origin === options.allowedOrigin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'X-API-Key, Content-Type, Authorization');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS');
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset');
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const url = new URL(req.url ?? '/', 'http://mock');
    try {
      if (url.pathname.startsWith('/admin/')) return await admin(req, res, url);
      if (url.pathname === '/v1/resolve') return publicRoute(req, res, url);
      if (url.pathname === '/health') return await health(req, res, url);
      if (url.pathname === '/__mock/youtube-client' && req.method === 'POST') {
        const body = JSON.parse((await readBody(req)) || '{}');
        const client = clients.find((item) => item.name === body.name);
        if (!client) return send(res, 404, error('client.unknown', 'No such client.'));
        client.state = body.state;
        if (body.code) client.last_failure = { at: iso(Date.now()), code: body.code };
        else client.last_success_at = iso(Date.now());
        client.cooling_off_until = body.state === 'cooling_off' ? iso(Date.now() + 600_000) : null;
        client.consecutive_failures = body.state === 'cooling_off' ? 5 : body.code ? 1 : 0;
        // As the real chain does: the next client takes the failing one's requests.
        const next = clients.find((item) => item !== client && item.state === 'unused');
        if (body.code && next) Object.assign(next, { state: 'ok', last_success_at: iso(Date.now()), attempts_1h: next.attempts_1h + 5, success_rate_1h: 1 });
        return send(res, 200, client);
      }
      send(res, 404, error('route.not_found', 'No such route.'));
    } catch (err) {
      send(res, 500, error('internal', String(err)));
    }
  });

  function publicRoute(req: IncomingMessage, res: ServerResponse, url: URL) {
    const started = Date.now();
    const presented = String(req.headers['x-api-key'] ?? url.searchParams.get('api_key') ?? '');
    const record = [...keys.values()].find((k) => k.key === presented);
    const v = record ? view(record) : null;
    const [status, body] = !presented ? [401, error('key.missing', 'Send an API key.')]
      : !record || !v ? [401, error('key.invalid', 'Unknown API key.')]
        : v.status === 'revoked' ? [403, error('key.revoked', 'This key was deactivated.')]
          : v.status === 'expired' ? [403, error('key.expired', 'This key has expired.')]
            : v.used_today >= record.daily_limit ? [429, error('quota.exceeded', 'Daily quota used up.')]
              : [200, { id: url.searchParams.get('query'), title: 'Mock track' }];
    if (record && status === 200) { record.total_used += 1; record.last_used_at = Date.now(); }
    const errorCode = status === 200 ? null : (body as { error: { code: string } }).error.code;
    logs.push({
      request_id: randomUUID(), time: Date.now(), endpoint: url.pathname, method: req.method ?? 'GET', key_id: record?.id ?? null,
      client_ip: '127.0.0.1', status, error_code: errorCode, duration_ms: Date.now() - started + 20 + Math.round(Math.random() * 80),
      query: url.searchParams.get('query'), colo: 'LOCAL', cache: status === 200 ? (logs.length % 3 === 0 ? 'miss' : 'hit') : null,
    });
    send(res, status, body);
  }

  /** The admin gate: true when the request may go on, else the refusal is sent. */
  function adminAllowed(req: IncomingMessage, res: ServerResponse): boolean {
    const presented = String(req.headers['x-api-key'] ?? '');
    const adminRecord = [...keys.values()].find((k) => k.key === presented);
    if (!presented) return send(res, 401, error('key.missing', 'Send an admin key.')), false;
    if (presented !== options.adminKey) {
      if (!adminRecord) return send(res, 401, error('key.invalid', 'Unknown API key.')), false;
      if (view(adminRecord).status !== 'active') return send(res, 403, error(`key.${view(adminRecord).status}`, 'Key not usable.')), false;
      if (adminRecord.tier !== 'admin') return send(res, 403, error('key.forbidden', 'Admin tier needed.')), false;
    }
    return true;
  }

  async function health(req: IncomingMessage, res: ServerResponse, url: URL) {
    const shallow = { status: 'ok', timestamp: iso(Date.now()), version: 'mock', services: { youtube: { clients: clients.map((c) => c.name), fallback_instances: 0 }, metadata_cache: 'cache-api' } };
    if (url.searchParams.get('deep') !== 'true') return send(res, 200, shallow);
    if (!adminAllowed(req, res)) return;
    const degraded = clients.every((client) => client.state === 'cooling_off');
    send(res, 200, {
      status: degraded ? 'degraded' : 'ok', timestamp: iso(Date.now()), version: 'mock',
      youtube: { clients, fallback_instances: 0, po_token_provider: { configured: false, reachable: false }, relay: { configured: false, reachable: false } },
      store: { ok: true, backend: 'd1', latency_ms: 1 },
      queues: { log_queue: { bound: true }, cache_queue: { bound: true } },
      consumer: { bound: true, reachable: true, caching: false, latency_ms: 1 },
    });
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (!adminAllowed(req, res)) return;
    const q = url.searchParams;
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const pageSize = Math.min(100, Math.max(1, Number(q.get('page_size') ?? 20)));
    const paged = <T>(items: T[]) => ({ items: items.slice((page - 1) * pageSize, page * pageSize), total: items.length, page, page_size: pageSize });
    const from = q.get('from') ? Date.parse(q.get('from')!) : 0;
    const to = q.get('to') ? Date.parse(q.get('to')!) : Date.now();
    const inRange = logs.filter((l) => l.time >= from && l.time <= to);
    const path = url.pathname;
    const keyMatch = /^\/admin\/keys\/([^/]+)$/.exec(path);

    if (path === '/admin/keys' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)) || '{}');
      if (typeof body.name !== 'string' || !body.name.trim()) return send(res, 400, error('request.invalid', 'name: required'));
      const tier = body.tier === 'admin' ? 'admin' : 'user';
      const days = body.expires_in_days === undefined ? 30 : body.expires_in_days;
      const record: KeyRecord = {
        id: randomUUID(), key: randomUUID(), name: body.name.trim(), tier, daily_limit: body.daily_limit ?? (tier === 'admin' ? 10_000_000 : 1_000),
        created_at: Date.now(), expires_at: days === null ? null : Date.now() + days * DAY, active: true, last_used_at: null, total_used: 0,
      };
      keys.set(record.id, record);
      return send(res, 201, { key: record.key, record: view(record) });
    }
    if (path === '/admin/keys' && req.method === 'GET') {
      const search = (q.get('search') ?? '').toLowerCase();
      const status = q.get('status') ?? 'all';
      const items = [...keys.values()].sort((a, b) => b.created_at - a.created_at).map(view)
        .filter((k) => (!search || k.name.toLowerCase().includes(search)) && (status === 'all' || k.status === status));
      return send(res, 200, paged(items));
    }
    if (keyMatch) {
      const record = keys.get(decodeURIComponent(keyMatch[1]!));
      if (!record) return send(res, 404, error('key.not_found', 'No such key.'));
      if (req.method === 'GET') {
        const usage = Array.from({ length: 30 }, (_, i) => istDate(Date.now() - (29 - i) * DAY))
          .map((date) => ({ date, count: logs.filter((l) => l.key_id === record.id && istDate(l.time) === date).length }));
        return send(res, 200, { key: view(record), usage });
      }
      if (req.method === 'PATCH') {
        const body = JSON.parse((await readBody(req)) || '{}');
        if (typeof body.name === 'string') record.name = body.name;
        if (typeof body.daily_limit === 'number') record.daily_limit = body.daily_limit;
        if (body.expires_at !== undefined) record.expires_at = body.expires_at === null ? null : Date.parse(body.expires_at);
        if (typeof body.active === 'boolean') record.active = body.active;
        return send(res, 200, view(record));
      }
      if (req.method === 'DELETE') {
        keys.delete(record.id);
        return send(res, 200, { deleted: true });
      }
    }
    if (path === '/admin/stats/overview') {
      const now = Date.now();
      const count = (a: number, b: number) => logs.filter((l) => l.time >= a && l.time < b);
      const errorRate = (items: LogRecord[]) => (items.length ? items.filter((l) => l.status >= 500).length / items.length : null);
      const today = logs.filter((l) => istDate(l.time) === istDate(now)).length;
      const yesterday = logs.filter((l) => istDate(l.time) === istDate(now - DAY)).length;
      const views = [...keys.values()].map(view);
      const hits = logs.filter((l) => l.cache === 'hit').length;
      const misses = logs.filter((l) => l.cache === 'miss').length;
      return send(res, 200, {
        requests: { total: logs.length, today, yesterday, this_week: count(now - 7 * DAY, now + 1).length, last_week: count(now - 14 * DAY, now - 7 * DAY).length },
        keys: { total: views.length, active: views.filter((k) => k.status === 'active').length, expired: views.filter((k) => k.status === 'expired').length, revoked: views.filter((k) => k.status === 'revoked').length },
        error_rate: { current: errorRate(count(now - DAY, now + 1)), previous: errorRate(count(now - 2 * DAY, now - DAY)) },
        cache: { hits, misses, hit_ratio: hits + misses ? hits / (hits + misses) : null },
        latency: { p50: percentile(count(now - DAY, now + 1), 0.5), p95: percentile(count(now - DAY, now + 1), 0.95), previous_p95: percentile(count(now - 2 * DAY, now - DAY), 0.95) },
      });
    }
    if (path === '/admin/stats/timeseries') {
      const granularity = q.get('granularity') === 'day' ? 'day' : 'hour';
      const start = (t: number) => (granularity === 'hour' ? Math.floor((t + IST) / HOUR) * HOUR - IST : Math.floor((t + IST) / DAY) * DAY - IST);
      const groups = new Map<number, LogRecord[]>();
      for (const l of inRange) groups.set(start(l.time), [...(groups.get(start(l.time)) ?? []), l]);
      const buckets = [...groups.entries()].sort(([a], [b]) => a - b).map(([t, items]) => ({
        start: iso(t), total: items.length,
        status_2xx: items.filter((l) => l.status < 300).length, status_3xx: items.filter((l) => l.status >= 300 && l.status < 400).length,
        status_4xx: items.filter((l) => l.status >= 400 && l.status < 500).length, status_5xx: items.filter((l) => l.status >= 500).length,
        p50: percentile(items, 0.5), p95: percentile(items, 0.95),
        cache_hits: items.filter((l) => l.cache === 'hit').length, cache_misses: items.filter((l) => l.cache === 'miss').length,
      }));
      return send(res, 200, { granularity, buckets });
    }
    if (path === '/admin/stats/endpoints') {
      const names = [...new Set(inRange.map((l) => l.endpoint))];
      return send(res, 200, { items: names.map((endpoint) => ({ endpoint, total: inRange.filter((l) => l.endpoint === endpoint).length, errors: inRange.filter((l) => l.endpoint === endpoint && l.status >= 500).length })) });
    }
    if (path === '/admin/stats/top-keys') {
      const ids = [...new Set(inRange.map((l) => l.key_id).filter((id): id is string => id !== null))];
      const items = ids.map((key_id) => ({ key_id, name: keys.get(key_id)?.name ?? null, total: inRange.filter((l) => l.key_id === key_id).length }))
        .sort((a, b) => b.total - a.total).slice(0, Number(q.get('limit') ?? 10));
      return send(res, 200, { items });
    }
    if (path === '/admin/logs') {
      const status = q.get('status') ?? '';
      const items = inRange.filter((l) => (!q.get('key_id') || l.key_id === q.get('key_id')) && (!q.get('endpoint') || l.endpoint === q.get('endpoint'))
        && (!status || (/xx$/.test(status) ? String(l.status)[0] === status[0] : String(l.status) === status)))
        .sort((a, b) => b.time - a.time).map((l) => ({ ...l, time: iso(l.time) }));
      return send(res, 200, paged(items));
    }
    if (path === '/admin/cache') {
      const stats = { ready: 0, pending: 0, failed: 0, stale: 0, too_large: 0 } as Record<string, number>;
      for (const entry of cache) stats[entry.status] = (stats[entry.status] ?? 0) + 1;
      return send(res, 200, { ...paged(cache.filter((e) => !q.get('status') || e.status === q.get('status'))), stats });
    }
    send(res, 404, error('route.not_found', 'No such admin route.'));
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
function error(code: string, message: string) {
  return { error: { code, message } };
}
function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
function percentile(items: LogRecord[], p: number): number | null {
  if (items.length === 0) return null;
  const sorted = items.map((l) => l.duration_ms).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

// `node --experimental-strip-types test/e2e/mock-admin-api.ts` (or tsx): a mock on :8787 for `npm run dashboard:dev`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const mock = await startMockAdminApi({ adminKey: process.env.ADMIN_API_KEY ?? 'dev-admin-key', allowedOrigin: process.env.DASHBOARD_ORIGIN ?? 'http://127.0.0.1:8788', port: Number(process.env.PORT ?? 8787) });
  console.log(`mock admin API on ${mock.url} (admin key: ${process.env.ADMIN_API_KEY ?? 'dev-admin-key'})`);
}
