BEGIN;

-- Plan documents uploaded by an administrator, kept between the preview and
-- the confirmation (the app is stateless across replicas). The applied
-- document itself is kept for ever in plan_versions.
CREATE TABLE seed_uploads (
    token        text PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    slug         text NOT NULL,
    source_name  text NOT NULL,
    source       bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    applied_at   timestamptz
);
CREATE INDEX seed_uploads_expires_idx ON seed_uploads (expires_at);

COMMIT;
