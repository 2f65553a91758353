-- The owner's actions (issue 16): why the owner closed some nights, and each reservation's
-- history (HistoryEntry in booking.proto), written in the transaction of the change it records.
ALTER TABLE reservations ADD COLUMN block_reason text NOT NULL DEFAULT '' CHECK (length(block_reason) <= 200);

CREATE TABLE reservation_history (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reservation_id bigint NOT NULL REFERENCES reservations (id),
    at             timestamptz NOT NULL DEFAULT now(),
    actor          text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    action         text NOT NULL CHECK (action IN ('created', 'confirmed', 'cancelled', 'expired', 'dates_changed',
                                                   'note', 'blocked', 'unblocked')),
    text           text NOT NULL DEFAULT '' CHECK (length(text) <= 2000),
    data           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object')
);

CREATE INDEX reservation_history_of ON reservation_history (reservation_id, id);
