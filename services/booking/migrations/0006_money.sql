-- Money (issue 17). Each cabin's refund rules ([{"days_before", "percent"}], most days first; [] =
-- the default policy) and whether its balance is paid on arrival; each reservation's copy of them,
-- and of the cabin's time zone, as they were when it was booked; and what its cancellation refunds.
ALTER TABLE accommodations
    ADD COLUMN cancellation_rules jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(cancellation_rules) = 'array'),
    ADD COLUMN balance_on_arrival boolean NOT NULL DEFAULT false;

-- Every reservation booked so far was booked under the default policy: the rows there are now get
-- it written out (DEFAULT_POLICY in services/common/cancellation.py); booking copies the cabin's
-- into new ones, blocks keep none.
ALTER TABLE reservations
    ADD COLUMN cancellation_rules jsonb NOT NULL
        DEFAULT '[{"days_before": 15, "percent": 100}, {"days_before": 7, "percent": 50}, {"days_before": 0, "percent": 0}]'
        CHECK (jsonb_typeof(cancellation_rules) = 'array'),
    ADD COLUMN time_zone text NOT NULL DEFAULT '',
    ADD COLUMN balance_on_arrival boolean NOT NULL DEFAULT false,
    ADD COLUMN refund_mode text CHECK (refund_mode IN ('policy', 'full', 'amount', 'none')),
    ADD COLUMN refund_amount_minor bigint,
    -- An amount only with the mode `amount`, and then more than nothing.
    ADD CONSTRAINT reservations_refund_amount CHECK (
        CASE WHEN refund_mode = 'amount' THEN refund_amount_minor > 0 ELSE refund_amount_minor IS NULL END
    );
ALTER TABLE reservations ALTER COLUMN cancellation_rules SET DEFAULT '[]';

UPDATE reservations r SET time_zone = a.time_zone FROM accommodations a WHERE a.id = r.accommodation_id;
