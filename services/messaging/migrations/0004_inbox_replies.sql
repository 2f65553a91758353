-- The owner's inbox. `waiting_since`: since when the guest waits for a person (their first message
-- since the conversation went to a person or a person last answered; NULL when nobody waits);
-- `replied_at`: a person's last reply. `author` of an outbound message: '' for the bot, the
-- person's actor otherwise ("user:<id>", "admin:<sub>").
ALTER TABLE conversations ADD COLUMN waiting_since timestamptz, ADD COLUMN replied_at timestamptz;
ALTER TABLE outbox ADD COLUMN author text NOT NULL DEFAULT '';
CREATE INDEX inbox_phone ON inbox (phone, id);
