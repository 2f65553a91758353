-- Two more issues: duplicate_payment (approved for a reservation already confirmed: a second
-- charge to refund) and charged_back (a chargeback after confirming); a refund after
-- confirming stays 'reversed'.
ALTER TABLE payments
    DROP CONSTRAINT payments_issue_check,
    ADD CONSTRAINT payments_issue_check CHECK (issue IN ('none', 'amount_mismatch', 'currency_mismatch',
        'unknown_reference', 'paid_but_unavailable', 'reversed', 'duplicate_payment', 'charged_back'));

-- The one payment booking is asked to confirm each reservation with; any other approved payment
-- of that reservation is a duplicate. Written in a transaction of its own before booking is
-- asked, so it outlives the payment's transaction failing after booking confirmed: the retry
-- knows booking may have confirmed for it.
CREATE TABLE confirmations (
    reservation_code text PRIMARY KEY,
    external_id      text NOT NULL,
    claimed_at       timestamptz NOT NULL DEFAULT now()
);
