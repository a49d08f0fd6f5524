-- The metadata store on D1: API keys, request logs, Telegram cache entries.
-- Times are epoch milliseconds (INTEGER) so ranges and buckets are integer maths.

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- lower-cased in the Worker, so that search folds case as the Mongo backend does
  name_lower TEXT NOT NULL,
  tier TEXT NOT NULL CHECK (tier IN ('user', 'admin')),
  daily_limit INTEGER NOT NULL CHECK (daily_limit >= 0),
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  last_used_at INTEGER,
  total_used INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_created_at ON api_keys (created_at DESC, id);

CREATE TABLE api_logs (
  request_id TEXT PRIMARY KEY,
  time INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  method TEXT NOT NULL,
  key_id TEXT,
  client_ip TEXT NOT NULL,
  status INTEGER NOT NULL,
  error_code TEXT,
  duration_ms INTEGER NOT NULL,
  query TEXT,
  colo TEXT,
  cache TEXT CHECK (cache IN ('hit', 'miss'))
);
CREATE INDEX api_logs_time ON api_logs (time);
CREATE INDEX api_logs_key_time ON api_logs (key_id, time);
CREATE INDEX api_logs_endpoint_time ON api_logs (endpoint, time);

CREATE TABLE cache_metadata (
  video_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('audio', 'video')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'failed', 'stale', 'too_large')),
  file_id TEXT,
  file_unique_id TEXT,
  message_id INTEGER,
  chat_id TEXT,
  size INTEGER,
  mime TEXT,
  title TEXT,
  duration INTEGER,
  cached_at INTEGER,
  expires_at INTEGER,
  claimed_at INTEGER,
  updated_at INTEGER NOT NULL,
  failure_reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (video_id, type)
);
CREATE INDEX cache_metadata_status_updated ON cache_metadata (status, updated_at);
CREATE INDEX cache_metadata_updated ON cache_metadata (updated_at);
CREATE INDEX cache_metadata_expires ON cache_metadata (expires_at);
