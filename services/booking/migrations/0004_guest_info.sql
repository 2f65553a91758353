-- The owner's answers to guests' frequent questions (GuestInfo in booking.proto), by field
-- name: only the answers written. Each text's length is checked where requests are converted.
ALTER TABLE accommodations ADD COLUMN guest_info jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(guest_info) = 'object');
