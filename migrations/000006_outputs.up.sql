BEGIN;

-- Published bulletins (专报), numbered per plan (第N期). The content is
-- computed and rendered once, at publication, and the rendered bytes are
-- kept: reopening an issue serves exactly what was published, never a
-- re-rendering from data that has changed since. Nobody may change or remove
-- an issue: the triggers below refuse it.
CREATE TABLE bulletins (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id        bigint NOT NULL REFERENCES plans (id),
    number         integer NOT NULL CHECK (number > 0),
    title          text NOT NULL CHECK (title <> ''),
    period_start   date NOT NULL,
    period_end     date NOT NULL CHECK (period_end >= period_start),
    published_at   timestamptz NOT NULL,
    published_by   bigint REFERENCES users (id),
    publisher_name text NOT NULL DEFAULT '',
    -- the standalone HTML page and the Word document, as published.
    html           bytea NOT NULL,
    docx           bytea NOT NULL,
    -- SHA-256 of html, also served as the ETag.
    sha256         bytea NOT NULL CHECK (length(sha256) = 32),
    -- the figures behind the issue (report.Bulletin as JSON), for reuse.
    data           jsonb NOT NULL,
    UNIQUE (plan_id, number)
);

CREATE FUNCTION bulletins_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published bulletin cannot be changed: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER bulletins_no_update BEFORE UPDATE OR DELETE ON bulletins
    FOR EACH ROW EXECUTE FUNCTION bulletins_immutable();
CREATE TRIGGER bulletins_no_truncate BEFORE TRUNCATE ON bulletins
    FOR EACH STATEMENT EXECUTE FUNCTION bulletins_immutable();

-- Uploaded progress sheets awaiting confirmation: the parsed rows are kept
-- here, not in a replica's memory, so the confirmation may reach any
-- replica. Keyed by a random token and the uploader; expired previews are
-- useless and may be removed.
CREATE TABLE import_previews (
    token       text PRIMARY KEY CHECK (length(token) >= 32),
    user_id     bigint NOT NULL REFERENCES users (id),
    plan_id     bigint NOT NULL REFERENCES plans (id),
    filename    text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    -- report.ImportPreview as JSON: every row with its verdict.
    preview     jsonb NOT NULL,
    applied_at  timestamptz
);
CREATE INDEX import_previews_expires_idx ON import_previews (expires_at);

COMMIT;
