import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { Config } from './config';
import type { LogQueueBody } from './logging/request-log-message';
import type { Logger } from '../../core/src/logging/logger';
import type { OutboundFetch } from '../../core/src/outbound/http';
import type { KeyGate } from './quota/key-gate';
import type { ErrorShape } from './middleware/error-shape';
import type { KeySnapshot, QuotaCounter } from './quota/quota-counter';
import type { MetadataStore } from '../../core/src/store/types';
import type { StreamLinkRevocations } from './stream-links/stream-link-revocations';
import type { CacheJob } from '../../core/src/contracts/cache-job';
import type { YouTubeService } from '../../core/src/youtube/youtube-service';

/** Bindings of the API Worker; settings arrive as strings and are parsed by config.ts. */
export interface Env {
  QUOTA: DurableObjectNamespace<QuotaCounter>;
  DB?: D1Database;
  LOG_QUEUE?: Queue<LogQueueBody>;
  IP_RATE_LIMITER?: RateLimit;
  /** Requests per minute of one API key (KEY_RATE_LIMIT_PER_MINUTE). */
  KEY_RATE_LIMITER?: RateLimit;
  /** Upload jobs for the Telegram cache (consumed by workers/consumer). */
  CACHE_QUEUE?: Queue<CacheJob>;
  /** The cache consumer Worker: status and cached files. */
  TELEGRAM_CACHE?: Fetcher;
  /** The cut-off of POST /admin/stream-links/revoke-before. */
  STREAM_LINKS?: DurableObjectNamespace<StreamLinkRevocations>;
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
  /** What the request log records about the cache, when it applies. */
  cacheOutcome?: 'hit' | 'miss';
  /** A bot shape's own error body (routes/compat), set before the key check so its refusals take it too. */
  errorShape?: ErrorShape;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
