BEGIN;

DROP TABLE import_previews;
DROP TABLE bulletins;
DROP FUNCTION bulletins_immutable();

COMMIT;
