BEGIN;

ALTER TABLE api_tokens DROP COLUMN expires_at, DROP COLUMN rate_per_minute;

COMMIT;
