BEGIN;
DROP TABLE screen_tokens;
COMMIT;
