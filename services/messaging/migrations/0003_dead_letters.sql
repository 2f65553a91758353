-- A message that keeps failing is given up on after MESSAGING_MAX_ATTEMPTS failures of
-- its own (waiting for booking or payments to come back does not count: `failures`
-- counts the others) and dead-lettered: processed, with its error, the guest told once.
ALTER TABLE inbox ADD COLUMN failures int NOT NULL DEFAULT 0, ADD COLUMN dead_lettered_at timestamptz;
