import { describe, expect, it } from 'vitest';
import { cacheApiState, edgeCache, forgetCacheApiProbe, NOOP_CACHE } from './edge-cache';

describe('the cache door', () => {
  it('hands out a cache that keeps nothing with CACHE_API=off, and its probe says off', async () => {
    expect(edgeCache('off')).toBe(NOOP_CACHE);
    await NOOP_CACHE.put('https://x.internal/a', new Response('1'));
    expect(await NOOP_CACHE.match('https://x.internal/a')).toBeUndefined();
    forgetCacheApiProbe();
    expect(await cacheApiState('off')).toBe('off');
  });

  it('finds out with one put and match whether the runtime’s Cache API keeps entries', async () => {
    forgetCacheApiProbe();
    const keeps = await caches.default.put('https://door-test.internal/x', new Response('1', { headers: { 'Cache-Control': 'max-age=60' } })).then(async () => Boolean(await caches.default.match('https://door-test.internal/x')));
    expect(await cacheApiState('on')).toBe(keeps ? 'on' : 'off');
  });
});
