-- The balance after the deposit. A payment's kind says what it paid: 'deposit' (it confirmed
-- its stay, or came in while the deposit was not covered yet), 'balance' (towards the rest),
-- '' (nothing: an issue). confirmed_at is now when a payment was counted for its stay (it
-- confirmed it or paid towards its balance): a refund or chargeback after that flags it.
ALTER TABLE payments
    ADD COLUMN kind text NOT NULL DEFAULT '' CHECK (kind IN ('', 'deposit', 'balance'));
UPDATE payments SET kind = 'deposit' WHERE confirmed_at IS NOT NULL;

-- A reservation has a deposit link and, once confirmed, a balance link; a balance link has no
-- hold to expire with (expires_at NULL) and is replaced when what is due changes.
ALTER TABLE payment_links
    ADD COLUMN kind text NOT NULL DEFAULT 'deposit' CHECK (kind IN ('deposit', 'balance')),
    ALTER COLUMN expires_at DROP NOT NULL,
    DROP CONSTRAINT payment_links_pkey,
    ADD PRIMARY KEY (reservation_code, kind);
