BEGIN;
DROP TABLE seed_uploads;
COMMIT;
