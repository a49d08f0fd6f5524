import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { Config } from './config';
import type { LogQueueBody } from './logging/request-log-message';
import type { Logger } from '../../core/src/logging/logger';
import type { OutboundFetch } from '../../core/src/outbound/http';
import type { KeyGate } from './quota/key-gate';
import type { ErrorShape } from './middleware/error-shape';
import type { KeySnapshot } from './quota/quota-counter';
import type { MetadataStore } from '../../core/src/store/types';
import type { CacheJob } from '../../core/src/contracts/cache-job';
import type { YouTubeService } from '../../core/src/youtube/youtube-service';

/**
 * Bindings of the API Worker: `ApiBindings` is generated from wrangler.toml by
 * `npm run types` (worker-configuration.d.ts; `npm test` fails when it drifts).
 * They are optional here because the code runs without most of them (another
 * store backend, no log queue, caching off); settings arrive as strings and
 * are parsed by config.ts. The queue bindings are typed with their bodies.
 */
export interface Env extends Partial<Omit<ApiBindings, 'QUOTA' | 'LOG_QUEUE' | 'CACHE_QUEUE'>> {
  QUOTA: ApiBindings['QUOTA'];
  LOG_QUEUE?: Queue<LogQueueBody>;
  /** Upload jobs for the Telegram cache (consumed by workers/consumer). */
  CACHE_QUEUE?: Queue<CacheJob>;
  [setting: string]: unknown;
}

/** Who is calling: a key holder, or the bootstrap ADMIN_API_KEY. */
export interface Principal {
  kind: 'key' | 'bootstrap';
  keyId: string | null;
  keyHash: string | null;
  tier: KeySnapshot['tier'];
}

export interface AppVariables extends TimingVariables, RequestIdVariables {
  config: Config;
  logger: Logger;
  outbound: OutboundFetch;
  youtube: YouTubeService;
  /** Built on first use: the hot path of a known key never touches the store. */
  store: () => MetadataStore;
  keyGate: KeyGate;
  principal?: Principal;
  /** The id of a key that was refused (expired, revoked, over quota), for the request log. */
  refusedKeyId?: string;
  /** A request that did not spend quota by itself was counted as its read's first (api-key.ts `link`). */
  firstRead?: boolean;
  /** Undoes a stream link's counted first request (when it fails on our side). */
  releaseFirstUse?: () => Promise<void>;
  /** The request did its expensive work (an upload queued): its unit stays spent whatever the answer. */
  keepCharge?: boolean;
  /** What the request log records about the cache, when it applies. */
  cacheOutcome?: 'hit' | 'miss';
  /** A bot shape's own error body (routes/compat), set before the key check so its refusals take it too. */
  errorShape?: ErrorShape;
  /** Headers every answer gets, a route's own Response too (middleware/answer-headers.ts). */
  answerHeaders?: Array<[string, string]>;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
