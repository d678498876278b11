BEGIN;

-- Each assignment's latest value of each indicator (issue 18): what the
-- indicator board of the present reads, one row per indicator and unit, so
-- that rebuilding a plan's state after a report costs the plan's indicators
-- and units, not the length of its history. Past dates are read from
-- report_indicator_values itself. Whoever writes report_indicator_values
-- upserts here in the same transaction (postgres.upsertIndicatorLatest:
-- reports, imports, the generator's COPY); a value replaces the one kept
-- only if it is newer (reports are never changed or deleted: a correction
-- is a new report).
CREATE TABLE indicator_latest (
    indicator_id  bigint NOT NULL REFERENCES indicators (id),
    assignment_id bigint NOT NULL REFERENCES assignments (id),
    report_id     bigint NOT NULL REFERENCES reports (id),
    submitted_at  timestamptz NOT NULL,
    value         numeric NOT NULL,
    PRIMARY KEY (indicator_id, assignment_id)
);

-- The values reported so far.
INSERT INTO indicator_latest (indicator_id, assignment_id, report_id, submitted_at, value)
SELECT DISTINCT ON (v.indicator_id, r.assignment_id) v.indicator_id, r.assignment_id, r.id, r.submitted_at, v.value
FROM report_indicator_values v JOIN reports r ON r.id = v.report_id
ORDER BY v.indicator_id, r.assignment_id, r.submitted_at DESC, r.id DESC;

COMMIT;
