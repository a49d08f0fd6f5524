import { Hono } from 'hono';
import type { AppEnv } from '../env';

/** `GET /health` and `GET /info`: what runs, and which endpoints take what. */
export const metaRoute = new Hono<AppEnv>()
  .get('/health', (c) => {
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
  .get('/info', (c) =>
    c.json({
      name: 'YouTube music API',
      version: c.get('config').APP_VERSION,
      endpoints: [
        { method: 'GET', path: '/v1/resolve', params: { query: 'YouTube URL, 11-character id or search text (≤ 500 chars)', type: 'audio (default) | video' } },
        { method: 'GET', path: '/v1/search', params: { query: 'search text', limit: '1–50, default 10', type: 'audio (YouTube Music first) | video' } },
        { method: 'GET', path: '/youtube', params: { query: 'as /v1/resolve', video: 'true | false (default)' }, note: 'the original service’s answer shape' },
        { method: 'GET, HEAD', path: '/stream/{token}', params: { Range: 'header, single byte range' } },
        { method: 'GET', path: '/health' },
        { method: 'GET', path: '/info' },
      ],
      authentication: 'X-API-Key, Authorization: Bearer, ?api_key= or ?api= on /v1/*, /youtube; stream links carry their key',
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
