// The admin API's contract (workers/api admin routes), as the dashboard reads it.

export type Tier = 'user' | 'admin';
export type KeyStatus = 'active' | 'expired' | 'revoked';

export interface KeyView {
  id: string;
  name: string;
  tier: Tier;
  daily_limit: number;
  created_at: string;
  expires_at: string | null;
  active: boolean;
  status: KeyStatus;
  last_used_at: string | null;
  total_used: number;
  used_today: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export interface KeyDetail {
  key: KeyView;
  usage: Array<{ date: string; count: number }>;
}

export interface CreateKeyBody {
  name: string;
  tier: Tier;
  daily_limit?: number;
  expires_in_days?: number | null;
}

export interface UpdateKeyBody {
  name?: string;
  daily_limit?: number;
  expires_at?: string | null;
  active?: boolean;
}

export interface Overview {
  requests: { total: number; today: number; yesterday: number; this_week: number; last_week: number };
  keys: { total: number; active: number; expired: number; revoked: number };
  /** Share of 5xx answers, last 24 h and the 24 h before; client_current is the 4xx share (optional extra). */
  error_rate: { current: number | null; previous: number | null; client_current?: number | null };
  cache: { hits: number; misses: number; hit_ratio: number | null };
  latency: { p50: number | null; p95: number | null; previous_p95: number | null };
  /** sample_one_in above 1: the request log keeps one request in N and every figure is an estimate (older APIs: absent). */
  logging?: { sample_one_in: number };
}

export type Granularity = 'hour' | 'day';

export interface Bucket {
  start: string;
  total: number;
  status_2xx: number;
  status_3xx: number;
  status_4xx: number;
  status_5xx: number;
  p50: number | null;
  p95: number | null;
  cache_hits: number;
  cache_misses: number;
}

export interface Timeseries {
  granularity: Granularity;
  buckets: Bucket[];
}

export interface EndpointStat {
  endpoint: string;
  total: number;
  /** Server errors (5xx). */
  errors: number;
  /** Client errors, when the API sends them (an extra beyond the contract). */
  status_4xx?: number;
}

/** How the request log names requests made with ADMIN_API_KEY (not a stored key). */
export const BOOTSTRAP_ADMIN_KEY_ID = 'admin';

export interface TopKey {
  key_id: string;
  name: string | null;
  total: number;
}

export interface LogEntry {
  request_id: string;
  time: string;
  endpoint: string;
  method: string;
  key_id: string | null;
  client_ip: string;
  status: number;
  error_code: string | null;
  duration_ms: number;
  query: string | null;
  colo: string | null;
  cache: 'hit' | 'miss' | null;
  /** Present on a sampled record (LOG_SAMPLE_ONE_IN): how many requests it stands for. */
  weight?: number;
}

export interface LogFilter {
  key_id?: string;
  endpoint?: string;
  status?: string;
  from?: string;
  to?: string;
}

export type CacheStatus = 'ready' | 'pending' | 'failed' | 'stale' | 'too_large';

export interface CacheEntry {
  video_id: string;
  type: 'audio' | 'video';
  status: CacheStatus;
  title: string | null;
  size: number | null;
  mime: string | null;
  cached_at: string | null;
  claimed_at: string | null;
  failure_reason: string | null;
  expires_at: string | null;
}

export interface CachePage extends Paged<CacheEntry> {
  stats: Record<CacheStatus, number>;
}

/** `GET /health?deep=true` (admin): each YouTube client as the API's colo sees it, and the services behind it. */
export type ClientState = 'ok' | 'failing' | 'cooling_off' | 'unused';

export interface ClientHealth {
  name: string;
  state: ClientState;
  last_success_at: string | null;
  last_failure: { at: string; code: string } | null;
  attempts_1h: number;
  success_rate_1h: number | null;
  cooling_off_until?: string | null;
  /** Failures in a row (the longer of the player's run and googlevideo's run of refusals). */
  consecutive_failures?: number;
  consecutive_failures_by_source?: { player: number; googlevideo: number };
}

export interface Reachability {
  configured: boolean;
  reachable: boolean;
}

export interface DeepHealth {
  status: 'ok' | 'degraded';
  timestamp: string;
  version: string;
  youtube: { clients: ClientHealth[]; po_token_provider: Reachability; relay: Reachability; fallback_instances?: number };
  store: { ok: boolean; backend?: string; latency_ms?: number; error?: string; size_bytes?: number };
  queues: Record<string, { bound: boolean }>;
  consumer: { bound: boolean; reachable: boolean; caching: boolean; latency_ms?: number };
  /** Whether the Cache API keeps anything where the API runs (off on a workers.dev address). */
  cache_api?: 'on' | 'off';
  cache_api_setting?: 'on' | 'off';
  /** Each cache's tiers, nearest first, e.g. player_functions: "memory+durable_object". */
  caches?: Record<string, string>;
}

/** `GET /admin/youtube/clients`: the client table in force, and who overrode what when. */
export interface ClientFieldOverride {
  field: string;
  value: string | number | boolean | null;
  from: 'setting' | 'admin';
  changed_by: string | null;
  changed_at: string | null;
}

export interface ClientTableEntry {
  name: string;
  kind: string;
  in_chain: boolean;
  client_name: string;
  client_version: string;
  built_in_version: string;
  user_agent: string;
  overrides: ClientFieldOverride[];
}

export interface ClientTableView {
  checked_against: string;
  checked_on: string;
  clients: ClientTableEntry[];
  stored_overrides: { changed_by: string; changed_at: string } | null;
}
