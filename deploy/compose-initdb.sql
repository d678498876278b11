-- Run by the postgres image on its first start (docker-entrypoint-initdb.d):
-- the serving role of `docker compose --profile app up`. The image's
-- POSTGRES_USER (duban) owns the database and runs the migrations; duban_app
-- owns nothing and gets its grants from `duban serve --migrate`.
-- A volume made before this file existed lacks the role: create it with
--   docker compose exec db psql -U duban -c "CREATE ROLE duban_app LOGIN PASSWORD 'duban_app'"
CREATE ROLE duban_app LOGIN PASSWORD 'duban_app';
