-- E-mails to guests and to the team: a durable outbox, one row per message ever (`dedupe_key`,
-- e.g. "guest:confirmed:<code>"), so a replayed event or a retry never queues it twice.
-- `status`: queued (to send, `next_attempt_at` on; retried with backoff), sent (the SMTP server
-- took it), failed (a permanent refusal, or MESSAGING_MAX_ATTEMPTS tries; `error` has the reply),
-- sandbox (no SMTP_HOST: it never leaves the machine). `claimed_until`: a sender's lease on it.
-- `attachments`: [{"filename", "content_type", "data" (base64)}].
CREATE TABLE emails (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key      text NOT NULL UNIQUE,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    attachments     jsonb NOT NULL DEFAULT '[]',
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'sandbox')),
    error           text,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX emails_due ON emails (next_attempt_at) WHERE status = 'queued';
CREATE INDEX emails_listed ON emails (status, id);
