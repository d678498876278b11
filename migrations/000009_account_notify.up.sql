BEGIN;

-- Replicas keep signed-in sessions in memory. Whatever can end a session or
-- change what it carries (its user's role, unit, password state, its unit's
-- name) announces it on the change channel at commit, whichever code path
-- wrote it: 'a:<user id>' for one user, 'a:0' for everyone. Touching
-- last_seen_at announces nothing.
CREATE FUNCTION duban_notify_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'units' THEN
        PERFORM pg_notify('duban_changes', 'a:0');
    ELSIF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('duban_changes', 'a:' || OLD.user_id);
    ELSE
        PERFORM pg_notify('duban_changes', 'a:' || OLD.id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_notify_account AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (OLD.ended_at IS NULL AND (NEW.ended_at, NEW.expires_at, NEW.user_id, NEW.token_hash)
          IS DISTINCT FROM (OLD.ended_at, OLD.expires_at, OLD.user_id, OLD.token_hash))
    EXECUTE FUNCTION duban_notify_account();
CREATE TRIGGER sessions_notify_account_delete AFTER DELETE ON sessions
    FOR EACH ROW
    WHEN (OLD.ended_at IS NULL)
    EXECUTE FUNCTION duban_notify_account();
CREATE TRIGGER users_notify_account AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION duban_notify_account();
CREATE TRIGGER units_notify_account AFTER UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION duban_notify_account();

COMMIT;
