-- LOG_SAMPLE_ONE_IN = N keeps one request in N, and its row counts N times: every
-- count and sum adds `weight` (1 for a request logged unsampled, as every older row was).
ALTER TABLE api_logs ADD COLUMN weight INTEGER NOT NULL DEFAULT 1;
-- The time index also carries the weight, so a range's count is still read from the index alone.
DROP INDEX api_logs_time;
CREATE INDEX api_logs_time ON api_logs (time, weight);
