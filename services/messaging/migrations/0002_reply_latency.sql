-- When the guest's message that a reply answers reached us, and what it was
-- (text or audio): the sender measures reply latency from it.
ALTER TABLE outbox ADD COLUMN answers_received_at timestamptz, ADD COLUMN answers_type text;
