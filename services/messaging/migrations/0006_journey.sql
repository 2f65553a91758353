-- The guest's journey (journey.py): one row per reservation and time-based message, planned from
-- booking's events and claimed by the sender when due. `check_in`/`check_out`: the stay it was
-- planned for (at send time the reservation must still have them). `claimed_until`: a sender's
-- lease; once it runs out (a crash between claim and send) another sender takes the row, and the
-- outbox's dedupe key keeps that from sending twice. `outcome`: why it ended as it did.
-- `planned_by`: the booking event that planned it; it waits until the notifier has told that
-- event (its cursor), so the guest hears "confirmada" or the new dates before the instructions.
CREATE TABLE journey (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('balance_due', 'checkin', 'checkout', 'review')),
    due_at        timestamptz NOT NULL,
    check_in      date NOT NULL,
    check_out     date NOT NULL,
    status        text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'sent', 'skipped', 'cancelled')),
    outcome       text NOT NULL DEFAULT '',
    claimed_until timestamptz,
    attempts      int NOT NULL DEFAULT 0,
    planned_by    bigint NOT NULL DEFAULT 0,
    sent_at       timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (code, kind)
);
CREATE INDEX journey_due ON journey (due_at) WHERE status = 'planned';

-- The guest asked not to be written ("no me escriban más", STOP) until they write "alta".
ALTER TABLE conversations ADD COLUMN opted_out_at timestamptz;
