BEGIN;

-- Server-side sessions, shared by every replica. Only the SHA-256 of the
-- random cookie token is stored, so reading this table gives nobody a
-- usable session. A session ends by sign-out, by the user or an
-- administrator, or by a timeout noticed on its next use.
CREATE TABLE sessions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id       bigint NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    -- bumped at most once a minute, so that idle tracking does not write on
    -- every request.
    last_seen_at  timestamptz NOT NULL,
    -- the absolute timeout, fixed at sign-in.
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    ended_reason  text CHECK (ended_reason IN ('logout', 'idle', 'expired', 'ended_by_user',
                                               'password_changed', 'password_reset', 'user_disabled')),
    client_addr   text NOT NULL DEFAULT '',
    user_agent    text NOT NULL DEFAULT '',
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);
CREATE INDEX sessions_user_active_idx ON sessions (user_id) WHERE ended_at IS NULL;

-- Sign-in attempts, for throttling per account and per client address across
-- replicas. An attempt is recorded as a failure before the password is
-- checked and turned into a success afterwards, so concurrent guesses count.
-- username is what was typed (lower-cased), whether or not such a user exists.
CREATE TABLE login_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL,
    username     text NOT NULL,
    client_addr  text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('pending', 'success', 'failure', 'throttled'))
);
CREATE INDEX login_attempts_username_idx ON login_attempts (username, at DESC);
CREATE INDEX login_attempts_addr_idx ON login_attempts (client_addr, at DESC);

-- Bearer tokens for the read-only JSON API (/api/v1). Hash only.
CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (name <> ''),
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_by    bigint REFERENCES users (id),
    created_by_name text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
-- A name identifies one live token, for `duban token revoke --name`.
CREATE UNIQUE INDEX api_tokens_live_name_idx ON api_tokens (name) WHERE revoked_at IS NULL;

-- The audit page filters by action and pages by id.
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);

COMMIT;
