BEGIN;

DROP TABLE task_designations;
DROP TABLE assignment_periods;
DROP TABLE task_revisions;
ALTER TABLE units DROP COLUMN short_name;
ALTER TABLE assignments DROP COLUMN start_on;
ALTER TABLE tasks DROP COLUMN archived_version;
ALTER TABLE plan_versions DROP COLUMN effective_at;

COMMIT;
