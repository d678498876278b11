BEGIN;

-- Leaders' comments (批示) on tasks: the one thing leaders write. Append-only.
CREATE TABLE task_comments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id      bigint NOT NULL REFERENCES tasks (id),
    author_id    bigint REFERENCES users (id),
    author_name  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    text         text NOT NULL CHECK (text <> '' AND length(text) <= 2000)
);
CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at);

COMMIT;
