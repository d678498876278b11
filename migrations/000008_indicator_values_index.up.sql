BEGIN;

-- The latest value of an indicator is found by walking its values from the
-- newest report backwards: report IDs follow the order reports arrive in.
DROP INDEX report_indicator_values_indicator_idx;
CREATE INDEX report_indicator_values_latest_idx ON report_indicator_values (indicator_id, report_id DESC);

COMMIT;
