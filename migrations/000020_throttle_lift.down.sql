BEGIN;

DELETE FROM login_attempts WHERE outcome = 'lifted';
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_outcome_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_outcome_check
    CHECK (outcome IN ('pending', 'success', 'failure', 'throttled'));

COMMIT;
