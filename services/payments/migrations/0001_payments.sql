-- Mercado Pago notifications (stored before they are acknowledged), the
-- payments they refer to, the checkout links we created, and payment events.

CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic           text NOT NULL,
    resource_id     text NOT NULL,
    action          text NOT NULL DEFAULT '',
    source          text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'reconciliation', 'admin')),
    body            bytea NOT NULL,
    query           jsonb NOT NULL DEFAULT '{}',
    headers         jsonb NOT NULL DEFAULT '{}',
    traceparent     text NOT NULL DEFAULT '',
    received_at     timestamptz NOT NULL DEFAULT now(),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz,
    last_error      text
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE processed_at IS NULL;

CREATE TABLE payments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id      text NOT NULL UNIQUE,
    reservation_code text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'unknown',
    status_detail    text NOT NULL DEFAULT '',
    amount_minor     bigint NOT NULL DEFAULT 0,
    currency         text NOT NULL DEFAULT '',
    events_count     int NOT NULL DEFAULT 0,
    first_event_at   timestamptz,
    last_event_at    timestamptz,
    issue            text NOT NULL DEFAULT 'none'
        CHECK (issue IN ('none', 'amount_mismatch', 'currency_mismatch', 'unknown_reference', 'paid_but_unavailable', 'reversed')),
    confirmed_at     timestamptz,
    raw              jsonb NOT NULL DEFAULT '{}',
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_reservation ON payments (reservation_code);

CREATE TABLE payment_links (
    reservation_code text PRIMARY KEY,
    preference_id    text NOT NULL,
    init_point       text NOT NULL,
    amount_minor     bigint NOT NULL,
    currency         text NOT NULL,
    expires_at       timestamptz NOT NULL,
    sandbox          boolean NOT NULL,
    reconciled_at    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Payment events for messaging; ids in commit order (services/common/outbox.py).
CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type        text NOT NULL,
    payload     jsonb NOT NULL,  -- the payments row right after the change
    traceparent text NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL DEFAULT now()
);
