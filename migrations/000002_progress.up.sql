BEGIN;

-- People who sign in. Accounts (sessions, throttling) extend this later.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    display_name  text NOT NULL CHECK (display_name <> ''),
    unit_id       bigint REFERENCES units (id),
    role          text NOT NULL CHECK (role IN ('admin', 'supervisor', 'leader', 'staff')),
    password_hash text NOT NULL DEFAULT '',
    must_change_password boolean NOT NULL DEFAULT true,
    disabled_at   timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- staff report for a unit, so they must belong to one.
    CHECK (role <> 'staff' OR unit_id IS NOT NULL)
);
CREATE INDEX users_unit_idx ON users (unit_id);

ALTER TABLE reports ADD CONSTRAINT reports_author_fk FOREIGN KEY (author_id) REFERENCES users (id);
ALTER TABLE plan_versions ADD CONSTRAINT plan_versions_user_fk FOREIGN KEY (applied_by) REFERENCES users (id);

-- Reviews of reports by lead-unit staff or supervisors: append-only.
CREATE TABLE reviews (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id      bigint NOT NULL REFERENCES reports (id),
    assignment_id  bigint NOT NULL REFERENCES assignments (id),
    reviewer_id    bigint REFERENCES users (id),
    reviewer_name  text NOT NULL DEFAULT '',
    decision       text NOT NULL CHECK (decision IN ('accept', 'return')),
    reason         text NOT NULL DEFAULT '',
    reviewed_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (decision = 'accept' OR reason <> '')
);
CREATE INDEX reviews_report_idx ON reviews (report_id);
CREATE INDEX reviews_assignment_idx ON reviews (assignment_id, reviewed_at);

-- Extension requests (延期申请) and their decisions: append-only.
CREATE TABLE extension_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id   bigint NOT NULL REFERENCES assignments (id),
    requested_by    bigint REFERENCES users (id),
    requester_name  text NOT NULL DEFAULT '',
    requested_at    timestamptz NOT NULL DEFAULT now(),
    requested_due   date NOT NULL,
    reason          text NOT NULL CHECK (reason <> '')
);
CREATE INDEX extension_requests_assignment_idx ON extension_requests (assignment_id, requested_at);

CREATE TABLE extension_decisions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id     bigint NOT NULL UNIQUE REFERENCES extension_requests (id),
    decided_by     bigint REFERENCES users (id),
    decider_name   text NOT NULL DEFAULT '',
    decided_at     timestamptz NOT NULL DEFAULT now(),
    approved       boolean NOT NULL,
    reason         text NOT NULL DEFAULT ''
);

-- The ordered history of everything that changes an assignment's status: the
-- input of the status engine's fold (deadline.Event). Append-only.
CREATE TABLE assignment_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id  bigint NOT NULL REFERENCES assignments (id),
    kind           text NOT NULL CHECK (kind IN ('report', 'accept', 'return', 'extension')),
    at             timestamptz NOT NULL,
    percent        smallint CHECK (percent BETWEEN 0 AND 100),
    claims         boolean NOT NULL DEFAULT false,
    report_at      timestamptz,
    new_due        date,
    report_id      bigint REFERENCES reports (id),
    review_id      bigint REFERENCES reviews (id),
    extension_decision_id bigint REFERENCES extension_decisions (id),
    CHECK (kind <> 'report' OR (percent IS NOT NULL AND report_id IS NOT NULL)),
    CHECK (kind NOT IN ('accept', 'return') OR (report_at IS NOT NULL AND review_id IS NOT NULL)),
    CHECK (kind <> 'extension' OR new_due IS NOT NULL)
);
-- As-of queries probe, per assignment, the latest event of a kind before an instant.
CREATE INDEX assignment_events_replay_idx ON assignment_events (assignment_id, at, id);
CREATE INDEX assignment_events_kind_idx ON assignment_events (assignment_id, kind, at DESC, id DESC);
CREATE INDEX assignment_events_at_idx ON assignment_events (at);

-- The current fold of each assignment's events (deadline.Facts), maintained in
-- the same transaction as every event so the dashboard never reads history.
-- version is the optimistic-concurrency token of the assignment.
CREATE TABLE assignment_state (
    assignment_id    bigint PRIMARY KEY REFERENCES assignments (id),
    version          integer NOT NULL DEFAULT 0,
    reports          integer NOT NULL DEFAULT 0,
    first_report_at  timestamptz,
    last_report_at   timestamptz,
    last_report_id   bigint REFERENCES reports (id),
    percent          smallint NOT NULL DEFAULT 0,
    claimed          boolean NOT NULL DEFAULT false,
    claimed_at       timestamptz,
    completed_at     timestamptz,
    accepted_at      timestamptz,
    extended_due     date,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Indicator values reported with a report.
CREATE TABLE report_indicator_values (
    report_id     bigint NOT NULL REFERENCES reports (id),
    indicator_id  bigint NOT NULL REFERENCES indicators (id),
    value         numeric NOT NULL,
    PRIMARY KEY (report_id, indicator_id)
);
CREATE INDEX report_indicator_values_indicator_idx ON report_indicator_values (indicator_id);

-- Evidence files (佐证材料), stored in PostgreSQL so replicas share them.
CREATE TABLE evidence_files (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id     bigint NOT NULL REFERENCES reports (id),
    filename      text NOT NULL,
    content_type  text NOT NULL,
    size          integer NOT NULL CHECK (size >= 0),
    sha256        bytea NOT NULL,
    content       bytea NOT NULL,
    uploaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_files_report_idx ON evidence_files (report_id);

-- The audit trail: every write, who, when, what, before and after. Nobody may
-- change or remove a row: the triggers below refuse it for every role,
-- superusers included, and the privileges are revoked as well.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint,
    actor_name   text NOT NULL DEFAULT '',
    action       text NOT NULL,
    entity       text NOT NULL DEFAULT '',
    entity_id    text NOT NULL DEFAULT '',
    before       jsonb,
    after        jsonb,
    request_id   text NOT NULL DEFAULT '',
    client_addr  text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
DO $$ BEGIN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', current_user);
END $$;

COMMIT;
