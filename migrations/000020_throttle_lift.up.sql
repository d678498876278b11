BEGIN;

-- An administrator lifts a throttle by recording a 'lifted' attempt: for an
-- account (username set, client_addr ''), failures before it no longer
-- count, as after a success; for an address (username '', client_addr
-- set), likewise for the address. Password changes are throttled by the
-- same rows as sign-ins: a guess of the current password counts as a
-- failed attempt of that account.
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_outcome_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_outcome_check
    CHECK (outcome IN ('pending', 'success', 'failure', 'throttled', 'lifted'));

COMMIT;
