-- Money given back: one row per payment a refund takes from. `request` names what asked for it
-- (a cancellation: 'cancel:<code>', the owner: 'owner:<code>:<key>', a refund seen at Mercado
-- Pago: 'outside:<payment>:<its refunded total>'), so a request seen twice refunds once.
-- Mercado Pago's rows start 'requested' and are sent by the worker (attempts, next_attempt_at);
-- cash and transfer ones are 'by_hand' (the owner gives them back).
CREATE TABLE refunds (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request             text NOT NULL,
    reservation_code    text NOT NULL,
    payment_external_id text NOT NULL,
    amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
    currency            text NOT NULL,
    status              text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'failed', 'by_hand')),
    error               text NOT NULL DEFAULT '',
    attempts            int NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    actor               text NOT NULL,
    reason              text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    external_id         text NOT NULL DEFAULT '',  -- Mercado Pago's refund id
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (request, payment_external_id)
);
CREATE INDEX refunds_reservation ON refunds (reservation_code);
CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status = 'requested';

-- Requests already turned into refund rows (some make none: nothing was paid, 0 %).
CREATE TABLE refund_requests (
    request          text PRIMARY KEY,
    reservation_code text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Where this service is in booking's event stream.
CREATE TABLE booking_cursor (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    after_id bigint NOT NULL
);

-- A payment's refunded_minor: the sum of its approved refunds (Payment.refunded, in its events).
ALTER TABLE payments
    ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0,
    DROP CONSTRAINT payments_issue_check,
    ADD CONSTRAINT payments_issue_check CHECK (issue IN ('none', 'amount_mismatch', 'currency_mismatch',
        'unknown_reference', 'paid_but_unavailable', 'reversed', 'duplicate_payment', 'charged_back',
        'refunded_outside', 'refund_failed'));
