BEGIN;

-- Units: offices that are assigned tasks, and collective designations
-- (各县(市、区)人民政府) that stand for several of them.
CREATE TABLE units (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    kind        text NOT NULL CHECK (kind IN ('city_department', 'county_government', 'enterprise',
                                              'central_provincial', 'collective', 'other')),
    -- false for a name met in a plan but not in the registry: to be confirmed.
    confirmed   boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Members of a collective designation.
CREATE TABLE unit_members (
    collective_id bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    member_id     bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    PRIMARY KEY (collective_id, member_id),
    CHECK (collective_id <> member_id)
);
CREATE INDEX unit_members_member_idx ON unit_members (member_id);

-- Other names of a unit (市发改委 for 市发展改革委), so revised documents that
-- write a name differently still resolve to the same unit.
CREATE TABLE unit_aliases (
    alias    text PRIMARY KEY CHECK (alias <> ''),
    unit_id  bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE
);
CREATE INDEX unit_aliases_unit_idx ON unit_aliases (unit_id);

CREATE TABLE plans (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    title       text NOT NULL,
    issued_by   text NOT NULL DEFAULT '',
    issued_on   date,
    addressees  text[] NOT NULL DEFAULT '{}',
    version     integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every document applied to a plan, kept whole: the source of truth for what
-- the plan said at each version.
CREATE TABLE plan_versions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id      bigint NOT NULL REFERENCES plans (id),
    version      integer NOT NULL CHECK (version > 0),
    source_name  text NOT NULL DEFAULT '',
    source       bytea NOT NULL,
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    applied_by   bigint,            -- users.id, NULL for the command line
    applied_by_name text NOT NULL DEFAULT '',
    applied_at   timestamptz NOT NULL DEFAULT now(),
    summary      jsonb NOT NULL DEFAULT '{}',
    UNIQUE (plan_id, version)
);

CREATE TABLE sections (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id   bigint NOT NULL REFERENCES plans (id),
    position  integer NOT NULL,
    numeral   text NOT NULL DEFAULT '',
    title     text NOT NULL,
    UNIQUE (plan_id, position)
);

CREATE TABLE task_groups (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    section_id  bigint NOT NULL REFERENCES sections (id),
    position    integer NOT NULL,
    title       text NOT NULL,
    UNIQUE (section_id, position)
);

CREATE TABLE tasks (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id        bigint NOT NULL REFERENCES plans (id),
    number         integer NOT NULL CHECK (number > 0),
    section_id     bigint REFERENCES sections (id),
    group_id       bigint REFERENCES task_groups (id),
    title          text NOT NULL,
    body           text NOT NULL DEFAULT '',
    deadline_text  text NOT NULL DEFAULT '',
    deadline_kind  text NOT NULL CHECK (deadline_kind IN ('due', 'ongoing', 'due_then_ongoing', 'unknown')),
    due_on         date,
    start_on       date,
    archived_at    timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, number),
    CHECK ((deadline_kind IN ('due', 'due_then_ongoing')) = (due_on IS NOT NULL))
);
CREATE INDEX tasks_section_idx ON tasks (section_id);

-- The unit names of a task exactly as the document lists them, per role and in
-- order: what the plan says, before collective designations are expanded into
-- assignments. Reseeding compares these.
CREATE TABLE task_units (
    task_id   bigint NOT NULL REFERENCES tasks (id),
    role      text NOT NULL CHECK (role IN ('lead', 'responsible', 'cooperating')),
    position  integer NOT NULL,
    name      text NOT NULL,
    PRIMARY KEY (task_id, role, position)
);

-- Quantitative targets (指标) of a task.
CREATE TABLE indicators (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     bigint NOT NULL REFERENCES tasks (id),
    position    integer NOT NULL,
    text        text NOT NULL,
    comparator  text NOT NULL CHECK (comparator IN ('>=', '<=', '=')),
    value       numeric NOT NULL,
    unit        text NOT NULL DEFAULT '',
    archived_at timestamptz,
    UNIQUE (task_id, position)
);

-- One unit's part in one task.
CREATE TABLE assignments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id      bigint NOT NULL REFERENCES tasks (id),
    unit_id      bigint NOT NULL REFERENCES units (id),
    role         text NOT NULL CHECK (role IN ('lead', 'responsible', 'cooperating')),
    -- the collective designation this assignment was expanded from, if any.
    via_unit_id  bigint REFERENCES units (id),
    archived_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (task_id, unit_id)
);
CREATE INDEX assignments_unit_idx ON assignments (unit_id);

-- Progress reports: append-only. A correction is a new report.
CREATE TABLE reports (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id   bigint NOT NULL REFERENCES assignments (id),
    author_id       bigint,          -- users.id
    author_name     text NOT NULL DEFAULT '',
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    percent         smallint NOT NULL CHECK (percent BETWEEN 0 AND 100),
    progress        text NOT NULL DEFAULT '',   -- 进展
    problems        text NOT NULL DEFAULT '',   -- 问题
    next_steps      text NOT NULL DEFAULT '',   -- 下一步
    claims_completion boolean NOT NULL DEFAULT false
);
-- The as-of views find the latest report before an instant per assignment.
CREATE INDEX reports_assignment_time_idx ON reports (assignment_id, submitted_at DESC, id DESC);
CREATE INDEX reports_time_idx ON reports (submitted_at);

COMMIT;
