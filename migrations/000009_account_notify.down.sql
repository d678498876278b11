BEGIN;
DROP TRIGGER units_notify_account ON units;
DROP TRIGGER users_notify_account ON users;
DROP TRIGGER sessions_notify_account_delete ON sessions;
DROP TRIGGER sessions_notify_account ON sessions;
DROP FUNCTION duban_notify_account();
COMMIT;
