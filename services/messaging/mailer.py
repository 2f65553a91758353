"""The e-mail outbox and its sender.

`queue_email` stores a message once per key (a replayed event or a retry queues nothing more),
in the caller's transaction. Without SMTP_HOST it is stored as `sandbox`: nothing leaves the
machine, and the console's /correos shows it (as WhatsApp's outbox does without a token).

`Mailer` sends what is due over SMTP (aiosmtplib), one lease per row (`FOR UPDATE SKIP LOCKED`),
so replicas never both send one. A crash between the claim and recording the outcome sends the
message again once the lease ends: the least bad choice, since SMTP has no idempotency key and
not sending would lose it for good; its Message-ID is derived from the key, so it is the same
on every try and a receiving server or mail client can drop the copy. A transient failure
(no connection, a timeout, a 4xx reply) is retried with a doubling delay, up to
MESSAGING_MAX_ATTEMPTS tries; a permanent refusal (a 5xx reply to the message: the recipient
does not exist, a bounce at submission) fails it at once, the server's reply recorded.
"""

import base64
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
import asyncpg
from prometheus_client import Counter

from services.common.db import Conn, record_outcome
from services.common.settings import Settings
from services.messaging.conversations import WorkLoop
from services.messaging.mail import Attachment, Email

log = logging.getLogger(__name__)
LEASE_SECONDS = 300  # a claimed e-mail is one sender's for this long: well over an SMTP exchange
SMTP_TIMEOUT = 30  # seconds, per SMTP command
RETRY_BASE_SECONDS = 30  # the first retry's delay; it doubles on each failure
MAX_RETRY_SECONDS = 3600
BATCH = 20  # e-mails claimed per pass
EMAILS = Counter("messaging_emails", "E-mails by outcome: sent, retried, failed, sandbox (kept here)", ["outcome"])


@dataclass(frozen=True)
class Failure:
    """Why sending failed: the server's reply (or the error), and whether trying again may help."""

    reply: str
    permanent: bool


async def queue_email(conn: Conn, key: str, email: Email, sandbox: bool) -> bool:
    """Queue `email` once per `key`; True when new. `sandbox` (no SMTP_HOST): kept, never sent."""
    attachments = [
        {"filename": a.filename, "content_type": a.content_type, "data": base64.b64encode(a.data).decode()}
        for a in email.attachments
    ]
    inserted = await conn.fetchval(
        "INSERT INTO emails (dedupe_key, to_address, subject, text_body, html_body, attachments, status)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        key,
        email.to,
        email.subject,
        email.text,
        email.html,
        attachments,
        "sandbox" if sandbox else "queued",
    )
    if inserted is not None and sandbox:
        EMAILS.labels("sandbox").inc()
    return inserted is not None


async def claim(conn: Conn, lease_seconds: float, limit: int = BATCH) -> list[asyncpg.Record]:
    """Lease the due e-mails nobody holds, oldest first; each claim counts as an attempt."""
    return await conn.fetch(
        "UPDATE emails SET attempts = attempts + 1, claimed_until = now() + make_interval(secs => $1)"
        " WHERE id IN (SELECT id FROM emails WHERE status = 'queued' AND next_attempt_at <= now()"
        " AND (claimed_until IS NULL OR claimed_until <= now()) ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " RETURNING *",
        lease_seconds,
        limit,
    )


async def _sent(conn: Conn, email_id: int) -> None:
    await conn.execute(
        "UPDATE emails SET status = 'sent', sent_at = now(), error = NULL, claimed_until = NULL WHERE id = $1",
        email_id,
    )


async def _failed(conn: Conn, email_id: int, error: str, retry_in: float | None) -> None:
    """Failed for good (`retry_in` None) or to try again in `retry_in` seconds."""
    await conn.execute(
        "UPDATE emails SET error = $2, claimed_until = NULL,"
        " status = CASE WHEN $3::float8 IS NULL THEN 'failed' ELSE status END,"
        " next_attempt_at = now() + make_interval(secs => coalesce($3::float8, 0)) WHERE id = $1",
        email_id,
        error[:1000],
        retry_in,
    )


async def listed(conn: Conn, status: str, to: str, limit: int, offset: int) -> list[asyncpg.Record]:
    """E-mails newest first, of `status` and to `to` when set ("" = any)."""
    return await conn.fetch(
        "SELECT * FROM emails WHERE ($1 = '' OR status = $1) AND ($2 = '' OR to_address = $2)"
        " ORDER BY id DESC LIMIT $3 OFFSET $4",
        status,
        to,
        limit,
        offset,
    )


def message_id(key: str, sender: str) -> str:
    """The same Message-ID on every try of one e-mail, in the sender's domain."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "cabanas"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _attachment(message: EmailMessage, attachment: Attachment) -> None:
    kind, *options = (part.strip() for part in attachment.content_type.split(";"))
    maintype, _, subtype = kind.partition("/")
    params = {name: value for name, _, value in (option.partition("=") for option in options if option)}
    message.add_attachment(attachment.data, maintype, subtype, filename=attachment.filename, params=params)


def build_message(row: asyncpg.Record, sender: str, now: datetime) -> EmailMessage:
    """An outbox row as a MIME message: text and HTML as alternatives, then the attachments.
    The default policy writes non-ASCII headers (the subject, a name in From) as RFC 2047."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(row["dedupe_key"], sender)
    message.set_content(row["text_body"])
    message.add_alternative(row["html_body"], subtype="html")
    for a in row["attachments"]:
        _attachment(message, Attachment(a["filename"], a["content_type"], base64.b64decode(a["data"])))
    return message


def failure(exc: Exception) -> Failure:
    """Permanent: a 5xx reply to this message (recipient, sender or content refused). A login the
    server refuses is our configuration, not the message: retried, as are 4xx replies and the rest."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        replies = [(r.code, f"{r.code} {r.message}") for r in exc.recipients]
        return Failure("; ".join(text for _, text in replies), all(code >= 500 for code, _ in replies))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        permanent = exc.code >= 500 and not isinstance(exc, aiosmtplib.SMTPAuthenticationError)
        return Failure(f"{exc.code} {exc.message}", permanent)
    return Failure(f"{type(exc).__name__}: {exc}", permanent=False)


class Mailer(WorkLoop):
    """Sends the outbox over SMTP; without SMTP_HOST it does nothing (every row is sandbox)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        retry_base_seconds: float = RETRY_BASE_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        super().__init__()
        self.pool, self.settings = pool, settings
        self.sandbox = not settings.smtp_host  # what `queue_email` is told: nothing to send with
        self.retry_base_seconds, self.lease_seconds = retry_base_seconds, lease_seconds

    async def run_once(self) -> bool:
        if self.sandbox:
            return False
        async with self.pool.acquire() as conn:
            claimed = await claim(conn, self.lease_seconds)
        for row in claimed:  # one at a time: a small relay need not take many connections at once
            await self._send(row)
        return bool(claimed)

    async def _smtp(self, message: EmailMessage) -> None:
        s = self.settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            timeout=SMTP_TIMEOUT,
        )

    async def _send(self, row: asyncpg.Record) -> None:
        within = self.lease_seconds / 2
        try:
            await self._smtp(build_message(row, self.settings.smtp_from, datetime.now(UTC)))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the row is retried or failed: never stuck
            why = failure(exc)
            last = why.permanent or row["attempts"] >= self.settings.messaging_max_attempts
            retry_in = None if last else min(self.retry_base_seconds * 2 ** (row["attempts"] - 1), MAX_RETRY_SECONDS)
            log.warning("e-mail %s not sent (attempt %s): %s", row["id"], row["attempts"], why.reply)
            await record_outcome(self.pool, _failed, row["id"], why.reply, retry_in, within=within)
            EMAILS.labels("failed" if last else "retried").inc()
            return
        # Recorded even across a database restart, or the lease would end and it would go again.
        await record_outcome(self.pool, _sent, row["id"], within=within)
        EMAILS.labels("sent").inc()
        log.info("e-mail sent", extra={"email_id": row["id"]})
