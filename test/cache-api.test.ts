import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiWith } from './support/api-with';

/**
 * Where the service runs, as /health?deep=true tells it: whether the Cache API keeps what it is
 * given (it does not on a workers.dev address, nor with CACHE_API=off), and each cache's tiers.
 * This file runs in both worlds (vitest.config.ts and vitest.cache-off.config.ts).
 */
const runtimeCacheOff = (env as unknown as { CACHE_API?: string }).CACHE_API === 'off';

describe('/health?deep=true, on the Cache API', () => {
  it('says the Cache API is off with CACHE_API=off, and that player functions live in isolate memory and their Durable Object', async () => {
    const health = await apiWith({ CACHE_API: 'off' }).json('/health?deep=true');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ cache_api: 'off', cache_api_setting: 'off', caches: { player_functions: 'memory+durable_object' } });
  });

  it('finds out by a probe whether the runtime’s Cache API keeps entries, whatever the setting says', async () => {
    const health = await apiWith({ CACHE_API: 'on' }).json('/health?deep=true');
    // The second world's runtime has a no-op Cache API, as a workers.dev address does.
    const expected = runtimeCacheOff ? 'off' : 'on';
    expect(health.body.cache_api).toBe(expected);
    expect(health.body.caches.player_functions).toBe(runtimeCacheOff ? 'memory+durable_object' : 'memory+cache_api+durable_object');
  });
});
