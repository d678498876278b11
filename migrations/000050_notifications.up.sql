BEGIN;

-- 催办 (issue 14): the system urges, so nobody chases units by hand.
-- Notifications are data, written in the same transaction as the event that
-- causes them; delivery to outside channels goes through an outbox with
-- retries and a delivery log. The reminder pass records what it sent under
-- unique keys, so that every reminder goes out once per rule, assignment and
-- period whatever the restarts and replicas.

-- A user's notification settings: an email address, the "unit head" flag
-- (督办通知 of level 2 and the weekly digest go to unit heads), and the kinds
-- of notification the user turned off for outside channels (escalations
-- cannot be turned off). Kept beside users so that the session's columns do
-- not change.
CREATE TABLE user_notify_settings (
    user_id     bigint PRIMARY KEY REFERENCES users (id),
    email       text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    unit_head   boolean NOT NULL DEFAULT false,
    muted       text[] NOT NULL DEFAULT '{}' CHECK (NOT ('escalation' = ANY (muted))),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_notify_settings_head_idx ON user_notify_settings (user_id) WHERE unit_head;

-- A unit's group robot (企业微信, 钉钉 or 飞书 webhook, with DingTalk's or
-- Feishu's signing secret) and the leader in charge of it (分管领导), who
-- receives 督办单 of level 3.
CREATE TABLE unit_notify_settings (
    unit_id       bigint PRIMARY KEY REFERENCES units (id),
    robot_kind    text NOT NULL DEFAULT '' CHECK (robot_kind IN ('', 'wecom', 'dingtalk', 'feishu')),
    robot_url     text NOT NULL DEFAULT '' CHECK (robot_kind = '' OR robot_url LIKE 'http%'),
    robot_secret  text NOT NULL DEFAULT '',
    leader_id     bigint REFERENCES users (id),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One notification to one person: what happened (kind and its arguments,
-- rendered in the reader's language), where to act (link), when, and when
-- it was read.
CREATE TABLE notifications (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES users (id),
    kind           text NOT NULL CHECK (kind IN ('review_returned', 'review_accepted', 'extension_decided', 'comment',
                                                 'assigned', 'escalation', 'order_answered', 'reminder', 'digest')),
    args           jsonb NOT NULL DEFAULT '{}',
    link           text NOT NULL CHECK (link LIKE '/%'),
    created_at     timestamptz NOT NULL,
    read_at        timestamptz,
    assignment_id  bigint REFERENCES assignments (id),
    pass_id        bigint
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
-- The bell: one index probe counts a user's unread notifications.
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_assignment_idx ON notifications (assignment_id, created_at) WHERE assignment_id IS NOT NULL;

-- Messages to outside channels, written with their notification. A sender
-- claims due rows (SKIP LOCKED), tries, and on failure waits longer each
-- time; after max attempts the row is failed. Every attempt is logged.
CREATE TABLE outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel          text NOT NULL CHECK (channel IN ('email', 'wecom', 'dingtalk', 'feishu')),
    -- email: the notification it carries, and the address; robots: the unit.
    notification_id  bigint REFERENCES notifications (id),
    user_id          bigint REFERENCES users (id),
    unit_id          bigint REFERENCES units (id),
    address          text NOT NULL DEFAULT '',
    kind             text NOT NULL,
    args             jsonb NOT NULL DEFAULT '{}',
    link             text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    last_error       text NOT NULL DEFAULT '',
    CHECK ((channel = 'email') = (user_id IS NOT NULL)),
    CHECK ((channel <> 'email') = (unit_id IS NOT NULL))
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_status_idx ON outbox (status, channel);

-- The delivery log: every attempt, its outcome and why it failed.
CREATE TABLE outbox_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id    bigint NOT NULL REFERENCES outbox (id),
    at           timestamptz NOT NULL,
    ok           boolean NOT NULL,
    error        text NOT NULL DEFAULT '',
    duration_ms  integer NOT NULL DEFAULT 0
);
CREATE INDEX outbox_attempts_outbox_idx ON outbox_attempts (outbox_id, id);
CREATE INDEX outbox_attempts_at_idx ON outbox_attempts (id DESC);

-- Administrators' changes to the working-day calendar: a day that differs
-- from what the bundled calendar (seeds/holidays.json: the State Council's
-- holidays and make-up working days 调休) says.
CREATE TABLE calendar_days (
    day              date PRIMARY KEY,
    working          boolean NOT NULL,
    note             text NOT NULL DEFAULT '',
    updated_by       bigint REFERENCES users (id),
    updated_by_name  text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- 督办单: a numbered order of the supervision office to one unit about one
-- assignment (督办〔2026〕N号), issued by hand (点对点督办) or by the
-- escalation ladder, with a reply deadline; the unit answers once. Nothing
-- here is deleted.
CREATE TABLE supervision_orders (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year           integer NOT NULL,
    number         integer NOT NULL CHECK (number > 0),
    assignment_id  bigint NOT NULL REFERENCES assignments (id),
    level          smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    automatic      boolean NOT NULL DEFAULT false,
    -- the effective due date an automatic order escalates (an extension
    -- starts the ladder again).
    due_on         date,
    reason         text NOT NULL CHECK (reason <> '' AND length(reason) <= 2000),
    reply_by       date NOT NULL,
    office         text NOT NULL,
    issued_by      bigint REFERENCES users (id),
    issuer_name    text NOT NULL DEFAULT '',
    issued_at      timestamptz NOT NULL,
    answer         text CHECK (answer <> '' AND length(answer) <= 5000),
    answered_by    bigint REFERENCES users (id),
    answerer_name  text NOT NULL DEFAULT '',
    answered_at    timestamptz,
    UNIQUE (year, number),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX supervision_orders_assignment_idx ON supervision_orders (assignment_id, issued_at);
CREATE UNIQUE INDEX supervision_orders_auto_idx ON supervision_orders (assignment_id, due_on, level) WHERE automatic;
CREATE INDEX supervision_orders_level_idx ON supervision_orders (level, assignment_id) WHERE level = 3;

-- The daily reminder passes, and the key of every reminder, escalation and
-- digest sent: (rule, assignment or user, period). A pass inserts the keys
-- of what is due and sends only what was not there yet.
CREATE TABLE reminder_passes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL,
    day          date NOT NULL,
    working_day  boolean NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    items        integer NOT NULL DEFAULT 0,
    messages     integer NOT NULL DEFAULT 0,
    runner       text NOT NULL DEFAULT ''
);
CREATE INDEX reminder_passes_day_idx ON reminder_passes (day, id);

CREATE TABLE reminder_keys (
    rule        text NOT NULL,
    subject_id  bigint NOT NULL,
    period      text NOT NULL,
    pass_id     bigint NOT NULL REFERENCES reminder_passes (id),
    PRIMARY KEY (rule, subject_id, period)
);

-- The review counts in the navigation: pending completion claims.
CREATE INDEX assignment_state_claimed_idx ON assignment_state (assignment_id) WHERE claimed AND completed_at IS NULL;

COMMIT;
