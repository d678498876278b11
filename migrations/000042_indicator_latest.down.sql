BEGIN;
DROP TABLE indicator_latest;
COMMIT;
