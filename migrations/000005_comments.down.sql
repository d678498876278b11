BEGIN;
DROP TABLE task_comments;
COMMIT;
