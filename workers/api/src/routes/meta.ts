import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { deepHealth } from '../health/deep-health';
import { adminAuth } from '../middleware/admin-auth';
import { rateLimit } from '../middleware/rate-limit';
import { validate } from '../middleware/validate';
import { describe } from './describe';

/**
 * `GET /health` and `GET /info`: what runs, and which endpoints take what.
 * `/health` is public and shallow; `/health?deep=true` takes an admin key and
 * reports each YouTube client, the relay, the store, the queues and the consumer.
 */
const HealthQuery = z.object({ deep: z.enum(['true', 'false']).optional() });

/** The deep report is the admin API's: rate-limited per IP and behind an admin key, like /admin/*. */
const adminWhenDeep = createMiddleware<AppEnv>(async function adminWhenDeep(c, next) {
  if (c.req.query('deep') !== 'true') return next();
  const admin = adminAuth();
  await rateLimit()(c, async () => {
    await admin(c, next);
  });
});

export const metaRoute = new Hono<AppEnv>()
  .get('/health', describe({ tag: 'meta', auth: 'public', summary: 'Liveness, or (deep=true, admin key) every dependency', description: 'Plain: public and shallow. With deep=true and an admin key: YouTube clients\' health, the PO token provider, the relay, the store, the queues and the consumer.', errors: ['request.invalid', 'key.missing', 'key.invalid', 'key.forbidden'] }), validate('query', HealthQuery), adminWhenDeep, async (c) => {
    if (c.req.valid('query').deep === 'true') return c.json(await deepHealth(c), 200, { 'Cache-Control': 'no-store' });
    const config = c.get('config');
    return c.json({
      status: 'ok',
      timestamp: new Date().toISOString(),
      version: config.APP_VERSION,
      services: {
        youtube: { clients: config.YOUTUBE_CLIENTS, fallback_instances: config.FALLBACK_INSTANCES.length },
        metadata_cache: 'cache-api',
      },
    });
  })
  .get('/info', describe({ tag: 'meta', auth: 'public', summary: 'Endpoints and how to authenticate' }), (c) =>
    c.json({
      name: 'YouTube music API',
      version: c.get('config').APP_VERSION,
      endpoints: [
        { method: 'GET', path: '/v1/resolve', params: { query: 'YouTube URL, 11-character id or search text (≤ 500 chars)', type: 'audio (default) | video' } },
        { method: 'GET', path: '/v1/search', params: { query: 'search text', limit: '1–50, default 10', type: 'audio (YouTube Music first) | video' } },
        { method: 'GET', path: '/youtube', params: { query: 'as /v1/resolve', video: 'true | false (default)' }, note: 'the original service’s answer shape' },
        { method: 'GET, HEAD', path: '/stream/{token}', params: { Range: 'header, single byte range' } },
        { method: 'GET, HEAD', path: '/file/{token}', params: { Range: 'header, single byte range' }, note: 'the same bytes as a download, with Content-Disposition' },
        { method: 'GET', path: '/download', params: { url: 'id, URL or search text', type: 'audio | video', api_key: 'key (answers the file) or none (answers a download_token)' }, note: 'Shruti bots' },
        { method: 'GET, HEAD', path: '/stream/{video id}', params: { type: 'audio | video', token: 'download_token, or the X-Download-Token header' }, note: 'Shruti bots' },
        { method: 'GET', path: '/song/{id}, /video/{id}', params: { api: 'key' }, note: 'NexGen bots' },
        { method: 'GET', path: '/youtube/v2/download, /youtube/jobStatus', params: { query: 'as /v1/resolve', isVideo: 'true | false', api_key: 'key', job_id: 'jobStatus only' }, note: 'DeadlineTech bots' },
        { method: 'GET', path: '/info/{id}', params: { 'x-api-key': 'header' }, note: 'YTProxy bots' },
        { method: 'GET', path: '/download/audio, /download/video', params: { video_id: 'id, URL or search text', api_key: 'key' }, note: 'Stranger / SHUKLA bots: a t.me post of the channel, waited for up to TELEGRAM_LINK_WAIT_SECONDS' },
        { method: 'GET', path: '/api/track', params: { url: 'YouTube URL, id or search text', api_key: 'key, or the X-API-Key header' }, note: 'Fallen API bots (YukkiMusic, TgMusicBot)' },
        { method: 'GET', path: '/health', params: { deep: 'true: per-client YouTube health, relay, store, queues, consumer (admin key)' } },
        { method: 'GET', path: '/info' },
      ],
      authentication: 'X-API-Key, Authorization: Bearer, ?api_key=, ?api= or ?key=, or a base URL /k/{key}/…; stream and file links carry their key',
      admin: [
        'POST /admin/keys {name, tier, daily_limit?, expires_in_days?}',
        'GET /admin/keys?page=&page_size=&search=&status=',
        'GET|PATCH|DELETE /admin/keys/{id}',
        'GET /admin/stats/overview | timeseries?granularity=hour|day&from=&to= | endpoints | top-keys',
        'GET /admin/logs?page=&key_id=&endpoint=&status=&from=&to=',
        'GET /admin/cache?page=&status=',
        'POST /admin/stream-links/revoke-before {before}',
        'POST /admin/create-key, DELETE /admin/delete-key/{key}, GET /admin/stats (the original service)',
      ],
    }),
  );
