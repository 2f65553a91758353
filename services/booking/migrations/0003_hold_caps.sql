-- Who asked for a hold over the public API (the address the gateway's rate limiter
-- names), for the per-client cap on open holds; '' for the bot and admin tools.
ALTER TABLE reservations ADD COLUMN client_id text NOT NULL DEFAULT '';

-- The caps count open holds per phone and per client inside every new hold's transaction.
CREATE INDEX reservations_open_by_phone ON reservations (guest_phone, expires_at) WHERE status = 'pre_reserved';
CREATE INDEX reservations_open_by_client ON reservations (client_id, expires_at)
    WHERE status = 'pre_reserved' AND client_id <> '';
