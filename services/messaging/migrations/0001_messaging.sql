-- WhatsApp conversations: the inbox (stored before the webhook is acknowledged,
-- one row per WhatsApp message id), delivery statuses, conversations, and the
-- outbox of messages to send (or, without a token, the local sandbox).

CREATE TABLE inbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wamid           text NOT NULL UNIQUE,  -- Meta retries for days: one row per message, ever
    phone           text NOT NULL,
    name            text NOT NULL DEFAULT '',
    type            text NOT NULL,
    text            text NOT NULL DEFAULT '',
    payload         jsonb NOT NULL,
    sent_at         timestamptz,
    received_at     timestamptz NOT NULL DEFAULT now(),
    traceparent     text NOT NULL DEFAULT '',
    processed_at    timestamptz,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);
CREATE INDEX inbox_pending ON inbox (phone, id) WHERE processed_at IS NULL;

CREATE TABLE statuses (
    wamid     text NOT NULL,
    status    text NOT NULL,
    at        timestamptz,
    recipient text NOT NULL DEFAULT '',
    errors    jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (wamid, status)
);

CREATE TABLE conversations (
    phone           text PRIMARY KEY,
    name            text NOT NULL DEFAULT '',
    handoff         boolean NOT NULL DEFAULT false,
    last_inbound_at timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone           text NOT NULL,
    type            text NOT NULL,
    text            text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'queued',
    wamid           text,
    error           text,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    dedupe_key      text UNIQUE,  -- "reply:<inbound wamid>:<n>", "event:<stream>:<id>": sent once
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outbox_phone ON outbox (phone, id);

-- Where each event stream consumer is (booking, payments): notifications
-- resume there after a restart; the outbox dedupe key makes replays harmless.
CREATE TABLE cursors (
    stream   text PRIMARY KEY,
    after_id bigint NOT NULL
);
