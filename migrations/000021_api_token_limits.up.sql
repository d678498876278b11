BEGIN;

-- An API token may expire (duban token create --expires) and may have its
-- own rate limit in requests per minute (--rate; 0: none); NULL takes the
-- server's API_RATE_LIMIT.
ALTER TABLE api_tokens
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN rate_per_minute integer CHECK (rate_per_minute >= 0);

COMMIT;
