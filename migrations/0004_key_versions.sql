-- Every change to a key bumps its version, so a key's QuotaCounter keeps the
-- newest copy when an admin change and a background refresh cross.
ALTER TABLE api_keys ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
