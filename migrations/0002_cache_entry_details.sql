-- A cache hit answers without calling YouTube, so the entry keeps what a
-- resolve shows besides title and duration.
ALTER TABLE cache_metadata ADD COLUMN channel TEXT;
ALTER TABLE cache_metadata ADD COLUMN views INTEGER;
ALTER TABLE cache_metadata ADD COLUMN thumbnail TEXT;
