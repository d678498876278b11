BEGIN;

DROP INDEX assignment_state_claimed_idx;

DROP TABLE reminder_keys;
DROP TABLE reminder_passes;
DROP TABLE supervision_orders;
DROP TABLE calendar_days;
DROP TABLE outbox_attempts;
DROP TABLE outbox;
DROP TABLE notifications;
DROP TABLE unit_notify_settings;
DROP TABLE user_notify_settings;

COMMIT;
