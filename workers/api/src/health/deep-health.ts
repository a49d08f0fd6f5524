import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { CACHE_SERVICE_ORIGIN, type CacheServiceStatus } from '../../../core/src/contracts/cache-job';
import { probeRelay } from '../../../core/src/outbound/relay-probe';
import type { PingResult } from '../../../core/src/store/types';
import type { ClientView } from '../../../core/src/youtube/client-health-ledger';
import { healthRules, isolateClientHealth } from '../../../core/src/youtube/colo-client-health';
import { metadataCacheTiers } from '../../../core/src/youtube/metadata-cache';
import { ping as pingPoTokenProvider, poTokenSource } from '../../../core/src/youtube/po-token-provider';
import { cacheApiState } from '../../../core/src/cache/edge-cache';
import { cacheTiers } from './cache-tiers';

/**
 * `GET /health?deep=true` (admin): what an operator checks when users complain.
 * YouTube's clients as this colo sees them, the token provider and the relay,
 * the store, the queues, and the consumer Worker. Each probe is bounded and
 * none throws: a part that is down is reported, not raised.
 */
const CONSUMER_TIMEOUT_MS = 3_000;
const PROBE_TIMEOUT_MS = 3_000;

export type PublicClientView = Omit<ClientView, 'cooling_off_until' | 'probe_due'> & { cooling_off_until: string | null };

export async function deepHealth(c: Context<AppEnv>) {
  const config = c.get('config');
  const outbound = c.get('outbound');
  const [clients, poTokenProvider, relay, store, consumer, cacheApi] = await Promise.all([
    isolateClientHealth().report(config.YOUTUBE_CLIENTS, healthRules(config)),
    pingPoTokenProvider(poTokenSource(config.PO_TOKEN_PROVIDER_URL, outbound, Math.min(config.UPSTREAM_TIMEOUT_MS, PROBE_TIMEOUT_MS))),
    probeRelay(outbound, config),
    pingStore(c),
    probeConsumer(c.env.TELEGRAM_CACHE),
    cacheApiState(config.CACHE_API),
  ]);
  const queues = { log_queue: { bound: Boolean(c.env.LOG_QUEUE) }, cache_queue: { bound: Boolean(c.env.CACHE_QUEUE) } };
  const shown: PublicClientView[] = clients.map(({ cooling_off_until, probe_due: _probe, ...view }) => ({
    ...view,
    cooling_off_until: cooling_off_until === null ? null : new Date(cooling_off_until).toISOString(),
  }));
  const degraded =
    !store.ok ||
    clients.every((client) => client.state === 'cooling_off') ||
    (relay.configured && !relay.reachable) ||
    (poTokenProvider.configured && !poTokenProvider.reachable) ||
    (consumer.bound && !consumer.reachable);
  return {
    status: degraded ? 'degraded' : 'ok',
    timestamp: new Date().toISOString(),
    version: config.APP_VERSION,
    youtube: {
      clients: shown,
      fallback_instances: config.FALLBACK_INSTANCES.length,
      po_token_provider: poTokenProvider,
      relay,
    },
    store,
    queues,
    consumer,
    // Whether caches.default keeps anything here (not on a workers.dev address, not with CACHE_API=off).
    cache_api: cacheApi,
    cache_api_setting: config.CACHE_API,
    caches: withoutDeadCacheApi(cacheApi, {
      ...cacheTiers({ cacheApi, playerFunctions: Boolean(c.env.PLAYER_FUNCTIONS) }),
      ...metadataCacheTiers(),
      client_health: { tier: isolateClientHealth().tier },
      unknown_keys: { tier: c.env.SHARED_HEALTH ? 'isolate_memory+durable_object+cache_api' : 'isolate_memory+cache_api' },
    }),
  };
}

async function pingStore(c: Context<AppEnv>): Promise<PingResult | { ok: false; error: string }> {
  try {
    return await c.get('store')().ping();
  } catch (error) {
    // Building the store failed (a bad setting): say so without the setting's value.
    return { ok: false, error: error instanceof Error && 'code' in error ? String(error.code) : 'store.unavailable' };
  }
}

async function probeConsumer(binding: Fetcher | undefined) {
  if (!binding) return { bound: false, reachable: false, caching: false };
  const started = Date.now();
  try {
    const response = await binding.fetch(`${CACHE_SERVICE_ORIGIN}/status`, { signal: AbortSignal.timeout(CONSUMER_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel();
      return { bound: true, reachable: false, caching: false, latency_ms: Date.now() - started };
    }
    const status = (await response.json()) as Partial<CacheServiceStatus>;
    return {
      bound: true,
      reachable: true,
      caching: status.enabled === true,
      local_api: status.local_api === true,
      max_file_bytes: typeof status.max_file_bytes === 'number' ? status.max_file_bytes : null,
      latency_ms: Date.now() - started,
    };
  } catch {
    return { bound: true, reachable: false, caching: false, latency_ms: Date.now() - started };
  }
}

/** A tier the Cache API cannot be where it keeps nothing: deep health names only the tiers in use. */
function withoutDeadCacheApi<T extends Record<string, unknown>>(cacheApi: string, caches: T): T {
  if (cacheApi !== 'off') return caches;
  const strip = (tier: string) => tier.split('+').filter((name) => name !== 'cache_api').join('+');
  return Object.fromEntries(
    Object.entries(caches).map(([name, value]) => [
      name,
      typeof value === 'string' ? strip(value) : value && typeof value === 'object' && 'tier' in value ? { ...value, tier: strip(String(value.tier)) } : value,
    ]),
  ) as T;
}
