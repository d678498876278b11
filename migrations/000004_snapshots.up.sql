BEGIN;

-- Daily snapshots of assignment state (deadline.Facts as of the end
-- of a day in Asia/Shanghai), one row per assignment that changed that day:
-- the checkpoints from which the status as of any
-- past instant is rebuilt by folding only the events after the checkpoint,
-- and the data of the weekly comparison and the rankings.
CREATE TABLE assignment_snapshots (
    day              date NOT NULL,
    assignment_id    bigint NOT NULL REFERENCES assignments (id),
    version          integer NOT NULL,
    reports          integer NOT NULL,
    first_report_at  timestamptz,
    last_report_at   timestamptz,
    percent          smallint NOT NULL,
    claimed          boolean NOT NULL,
    claimed_at       timestamptz,
    completed_at     timestamptz,
    accepted_at      timestamptz,
    extended_due     date,
    PRIMARY KEY (day, assignment_id)
);
CREATE INDEX assignment_snapshots_assignment_idx ON assignment_snapshots (assignment_id, day DESC);

-- One row per day whose snapshot is complete: a snapshot is taken whole, in
-- one transaction, under an advisory lock, so replicas never race.
CREATE TABLE snapshot_days (
    day       date PRIMARY KEY,
    taken_at  timestamptz NOT NULL DEFAULT now(),
    rows      integer NOT NULL
);

COMMIT;
