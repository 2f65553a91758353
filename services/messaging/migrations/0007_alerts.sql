-- The team's alerts. An alert is written once per event (`key` from the source event:
-- "alert:booking:<event id>", "alert:payments:<event id>", "alert:waiting:<phone>:<since>", ...);
-- its recipients are looked up when it is delivered (`delivered_at`), so a role or a
-- preference changed meanwhile counts. `lines`: what it says; `link`: a console path.
CREATE TABLE alerts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,  -- accounts' Alert names: new_booking, guest_waiting, ...
    key          text NOT NULL UNIQUE,
    lines        text[] NOT NULL,
    link         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX alerts_pending ON alerts (id) WHERE delivered_at IS NULL;

-- Who got each alert, how, and in which message (the outbox's or the e-mail outbox's key):
-- one row per alert, channel and address, so one person (a user, the development owner with
-- the same phone) gets an alert once per channel.
CREATE TABLE alert_deliveries (
    alert_id    bigint NOT NULL REFERENCES alerts ON DELETE CASCADE,
    channel     text NOT NULL,  -- whatsapp | email
    address     text NOT NULL,  -- the phone's digits, or the e-mail
    user_id     bigint NOT NULL DEFAULT 0,  -- 0: the development owner (CONSOLE_OWNER_PHONE)
    message_key text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (alert_id, channel, address)
);
