BEGIN;

-- Credentials of the operations centre's wall screens (issue 18). A screen
-- token opens /plans/{slug}/screen (of one plan, or of every plan when
-- plan_id is NULL) and nothing else: it is not an API token (api_tokens) and
-- not a session. Only the SHA-256 of the token is stored.
CREATE TABLE screen_tokens (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (name <> ''),
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    plan_id         bigint REFERENCES plans (id),
    created_by      bigint REFERENCES users (id),
    created_by_name text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
-- A name identifies one live screen token, for `duban screen-token revoke`.
CREATE UNIQUE INDEX screen_tokens_live_name_idx ON screen_tokens (name) WHERE revoked_at IS NULL;

COMMIT;
