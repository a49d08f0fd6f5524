/**
 * The one door to the Cache API. On Cloudflare, `caches.default` keeps
 * nothing for a Worker served from a `*.workers.dev` address (cache
 * operations work only on a custom domain), and CACHE_API=off makes any
 * runtime behave that way (`npm start`, the tests' second world). Every tier
 * in front of a durable home (player functions, metadata, client health)
 * asks here, so "off" is one switch and one probe tells which world this is.
 */
export type CacheApiSetting = 'on' | 'off';
export type CacheApiState = 'on' | 'off';

/** A Cache that keeps nothing, as `caches.default` is on a workers.dev address. */
export const NOOP_CACHE: Cache = {
  match: async () => undefined,
  put: async () => undefined,
  delete: async () => false,
};

// The Worker's setting, as the last env read in this isolate said (one Worker, one env in production).
let isolateSetting: CacheApiSetting = 'on';

/** Records the Worker's CACHE_API setting for modules that are handed no cache of their own. */
export function useCacheApiSetting(setting: CacheApiSetting): void {
  isolateSetting = setting;
}

/** The cache to use: `caches.default`, or the no-op one when CACHE_API=off (or no Cache API exists). */
export function edgeCache(setting: CacheApiSetting = isolateSetting): Cache {
  if (setting === 'off' || typeof caches === 'undefined') return NOOP_CACHE;
  return caches.default;
}

const PROBE_ORIGIN = 'https://cache-api-probe.internal';
const probes = new Map<CacheApiSetting, Promise<CacheApiState>>();

/**
 * Whether the Cache API keeps what it is given, found once per isolate: a small
 * put, then a match of the same key. Cheap (one entry, a minute's TTL), and a
 * failure of either says "off" rather than throwing.
 */
export function cacheApiState(setting: CacheApiSetting = isolateSetting): Promise<CacheApiState> {
  let probe = probes.get(setting);
  if (!probe) {
    probe = probeCache(edgeCache(setting));
    probes.set(setting, probe);
  }
  return probe;
}

async function probeCache(cache: Cache): Promise<CacheApiState> {
  if (cache === NOOP_CACHE) return 'off';
  const key = `${PROBE_ORIGIN}/${crypto.randomUUID()}`;
  try {
    await cache.put(key, new Response('1', { headers: { 'Cache-Control': 'max-age=60' } }));
    const kept = await cache.match(key);
    await kept?.body?.cancel();
    void cache.delete(key).catch(() => false);
    return kept ? 'on' : 'off';
  } catch {
    return 'off';
  }
}

/** Tests of a cold isolate: the next cacheApiState() probes again. */
export function forgetCacheApiProbe(): void {
  probes.clear();
}
