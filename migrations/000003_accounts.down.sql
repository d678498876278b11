BEGIN;
DROP INDEX audit_log_action_idx;
DROP TABLE api_tokens;
DROP TABLE login_attempts;
DROP TABLE sessions;
COMMIT;
