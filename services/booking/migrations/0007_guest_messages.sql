-- The owner's words in the guest's journey (GuestMessages in booking.proto: keys, arrival_note,
-- departure_note, review_url, confirmed_note), by field name: only those written. Each text's
-- length, and the review link's scheme, are checked where requests are converted.
ALTER TABLE accommodations ADD COLUMN guest_messages jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(guest_messages) = 'object');
