BEGIN;
DROP TABLE snapshot_days;
DROP TABLE assignment_snapshots;
COMMIT;
