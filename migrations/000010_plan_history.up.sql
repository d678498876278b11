BEGIN;

-- Plans have history (issue 12). Every applied document is a plan version
-- that takes effect at a moment; a task exists from the version that added
-- it until the version that archived it, and its deadline and units are
-- those of the revision in force at each moment. The tasks and assignments
-- tables keep what is in force now; the tables below keep every stretch of
-- time, so that "as of" reads answer with the plan as it stood then.

-- When a version took effect. Version 1 counts from the plan's beginning
-- whatever its effective_at: the plan is what its first document says.
ALTER TABLE plan_versions ADD COLUMN effective_at timestamptz;
UPDATE plan_versions SET effective_at = applied_at;
ALTER TABLE plan_versions ALTER COLUMN effective_at SET NOT NULL;
ALTER TABLE plan_versions ALTER COLUMN effective_at SET DEFAULT now();

-- The version that archived a task (NULL while it is in force).
ALTER TABLE tasks ADD COLUMN archived_version integer;

-- Where an assignment's clock (序时进度, reporting cadence) starts when the
-- unit joined a task after the task began: a unit added by a reseed or by
-- mapping a collective designation. NULL: the task's start.
ALTER TABLE assignments ADD COLUMN start_on date;

-- A registry's short name for narrow columns (崆峒区 for 崆峒区人民政府).
-- Names are never cut by code: a unit without one is shown in full.
ALTER TABLE units ADD COLUMN short_name text NOT NULL DEFAULT '' CHECK (length(short_name) <= 16);

-- Each task's revisions: what the plan said of it over a stretch of time
-- [valid_from, valid_to). NULL valid_from: from the plan's beginning; NULL
-- valid_to: in force now. No revision covers an instant at which the task
-- did not exist (not yet added, or archived).
CREATE TABLE task_revisions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id           bigint NOT NULL REFERENCES tasks (id),
    version           integer NOT NULL CHECK (version > 0),
    valid_from        timestamptz,
    valid_to          timestamptz,
    section_id        bigint REFERENCES sections (id),
    group_id          bigint REFERENCES task_groups (id),
    title             text NOT NULL,
    body              text NOT NULL DEFAULT '',
    deadline_text     text NOT NULL DEFAULT '',
    deadline_kind     text NOT NULL CHECK (deadline_kind IN ('due', 'ongoing', 'due_then_ongoing', 'unknown')),
    due_on            date,
    start_on          date,
    lead_units        text[] NOT NULL DEFAULT '{}',
    responsible_units text[] NOT NULL DEFAULT '{}',
    cooperating_units text[] NOT NULL DEFAULT '{}',
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX task_revisions_current_idx ON task_revisions (task_id) WHERE valid_to IS NULL;
CREATE INDEX task_revisions_task_idx ON task_revisions (task_id, valid_from);

-- Each assignment's stretches of time as an accountable part of its task,
-- with the role it had. A designation's members join and leave through
-- these as mappings change, taking effect at once.
CREATE TABLE assignment_periods (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id bigint NOT NULL REFERENCES assignments (id),
    valid_from   timestamptz,
    valid_to     timestamptz,
    role         text NOT NULL CHECK (role IN ('lead', 'responsible', 'cooperating')),
    via_unit_id  bigint REFERENCES units (id),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX assignment_periods_current_idx ON assignment_periods (assignment_id) WHERE valid_to IS NULL;
CREATE INDEX assignment_periods_assignment_idx ON assignment_periods (assignment_id, valid_from);

-- A supervisor's or administrator's decision of what a collective
-- designation means on one task (市直有关部门 are the finance and development
-- offices on one task, the offices with counters on another). It overrides
-- the registry's members; an empty list means "no further unit".
CREATE TABLE task_designations (
    task_id         bigint NOT NULL REFERENCES tasks (id),
    collective_id   bigint NOT NULL REFERENCES units (id),
    members         bigint[] NOT NULL DEFAULT '{}',
    decided_by      bigint REFERENCES users (id),
    decided_by_name text NOT NULL DEFAULT '',
    decided_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, collective_id)
);

-- A task added by a later version starts its clock when it was added.
UPDATE tasks t SET start_on = (t.created_at AT TIME ZONE 'Asia/Shanghai')::date
FROM plan_versions v1
WHERE v1.plan_id = t.plan_id AND v1.version = 1 AND t.created_at > v1.applied_at AND t.start_on IS NULL;

-- The history so far: one revision per task, from its creation (tasks of
-- the first version: from the beginning) to its archiving. Earlier
-- revisions of changed tasks were not kept before this migration.
INSERT INTO task_revisions (task_id, version, valid_from, valid_to, section_id, group_id, title, body,
                            deadline_text, deadline_kind, due_on, start_on, lead_units, responsible_units, cooperating_units)
SELECT t.id,
       coalesce((SELECT max(v.version) FROM plan_versions v WHERE v.plan_id = t.plan_id AND v.applied_at <= t.updated_at), 1),
       CASE WHEN t.created_at > coalesce(v1.applied_at, t.created_at) THEN t.created_at END,
       t.archived_at, t.section_id, t.group_id, t.title, t.body, t.deadline_text, t.deadline_kind, t.due_on, t.start_on,
       coalesce((SELECT array_agg(u.name ORDER BY u.position) FROM task_units u WHERE u.task_id = t.id AND u.role = 'lead'), '{}'),
       coalesce((SELECT array_agg(u.name ORDER BY u.position) FROM task_units u WHERE u.task_id = t.id AND u.role = 'responsible'), '{}'),
       coalesce((SELECT array_agg(u.name ORDER BY u.position) FROM task_units u WHERE u.task_id = t.id AND u.role = 'cooperating'), '{}')
FROM tasks t
LEFT JOIN plan_versions v1 ON v1.plan_id = t.plan_id AND v1.version = 1;

UPDATE tasks t SET archived_version = coalesce(
    (SELECT max(v.version) FROM plan_versions v WHERE v.plan_id = t.plan_id AND v.applied_at <= t.archived_at), 1)
WHERE t.archived_at IS NOT NULL;

-- A collective designation was never an accountable unit: nobody can sign
-- in for it. Its assignments are archived and get no period, so no view
-- ever counted them.
UPDATE assignments a SET archived_at = coalesce(a.archived_at, now())
FROM units u WHERE u.id = a.unit_id AND u.kind = 'collective';

INSERT INTO assignment_periods (assignment_id, valid_from, valid_to, role, via_unit_id)
SELECT a.id,
       CASE WHEN a.created_at > coalesce(v1.applied_at, a.created_at) THEN a.created_at END,
       a.archived_at, a.role, a.via_unit_id
FROM assignments a
JOIN tasks t ON t.id = a.task_id
JOIN units u ON u.id = a.unit_id
LEFT JOIN plan_versions v1 ON v1.plan_id = t.plan_id AND v1.version = 1
WHERE u.kind <> 'collective';

-- A unit that joined a task after the task began starts its clock then.
UPDATE assignments a SET start_on = (a.created_at AT TIME ZONE 'Asia/Shanghai')::date
FROM tasks t WHERE t.id = a.task_id AND a.created_at > t.created_at;

COMMIT;
