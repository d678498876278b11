BEGIN;
DROP INDEX report_indicator_values_latest_idx;
CREATE INDEX report_indicator_values_indicator_idx ON report_indicator_values (indicator_id);
COMMIT;
