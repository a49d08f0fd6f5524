-- Exactly-once uploads: each claim of an entry gets its own id (a fencing
-- token the upload job carries; completing or failing the entry must name
-- it), and the consumer that starts the upload holds a lease until it ends.
ALTER TABLE cache_metadata ADD COLUMN claim_id TEXT;
ALTER TABLE cache_metadata ADD COLUMN lease_until INTEGER;
