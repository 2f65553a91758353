"""The e-mail outbox against a real Postgres (a messaging schema of its own) and a real SMTP server
in this process (aiosmtpd): what arrived is read back — headers, both bodies, the `.ics`. Queued
once per key; a 451 retried then sent; a 550 failed at once with the reply; two senders on one
table never send one twice; a sender that dies after claiming leaves it to be sent once, later;
the sandbox never sends."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import asyncpg
import icalendar
import pytest
from prometheus_client import REGISTRY

from devtools.embedded import free_port
from services.common.settings import Settings
from services.messaging.mail import Email, guest_email, stay_ics
from services.messaging.mailer import Mailer, claim, message_id, queue_email
from testsupport.smtp import NO_MAILBOX, REFUSED_DOMAIN, TRY_LATER, SmtpServer

SENDER = "Cabañas del Lago <reservas@cabanas.test>"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def settings(host: str, port: int = 25) -> Settings:
    return Settings(smtp_host=host, smtp_port=port, smtp_tls="none", smtp_from=SENDER, messaging_max_attempts=3)


def mailer(pool: asyncpg.Pool, smtp: SmtpServer | None) -> Mailer:
    """A sender to `smtp` (None: no SMTP_HOST) that retries at once."""
    return Mailer(pool, settings(smtp.host, smtp.port) if smtp else settings(""), retry_base_seconds=0)


def address() -> str:
    return f"{uuid.uuid4().hex[:8]}@example.com"


def simple(to: str, subject: str = "Hola") -> Email:
    return Email(to, subject, "Hola, texto.", "<p>Hola, HTML.</p>")


async def queue(pool: asyncpg.Pool, email: Email, key: str = "", sandbox: bool = False) -> bool:
    async with pool.acquire() as conn:
        return await queue_email(conn, key or f"test:{uuid.uuid4().hex}", email, sandbox)


async def row(pool: asyncpg.Pool, to: str) -> asyncpg.Record:
    async with pool.acquire() as conn:
        found = await conn.fetchrow("SELECT * FROM emails WHERE to_address = $1", to)
    assert found is not None
    return found


def counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("messaging_emails_total", {"outcome": outcome}) or 0.0


async def test_an_email_is_queued_once_per_key(pool: asyncpg.Pool) -> None:
    to = address()
    assert await queue(pool, simple(to), "guest:confirmed:RES1") is True
    assert await queue(pool, simple(to, "Otra vez"), "guest:confirmed:RES1") is False
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM emails WHERE to_address = $1", to) == 1


async def test_what_arrives_has_the_headers_both_bodies_and_the_stay(pool: asyncpg.Pool, smtp: SmtpServer) -> None:
    to = address()
    ics = stay_ics("RES9XYZ", "Bosque", date(2026, 1, 9), date(2026, 1, 12), "15:00", "10:00", "UTC", "Ruta 40")
    email = guest_email(to, "Tu reserva está confirmada ✔", "Cabaña del Bosque", "", ["Hola Ana, te esperamos."], ics)
    await queue(pool, email, "guest:confirmed:RES9XYZ")
    sent_before = counted("sent")
    assert await mailer(pool, smtp).run_once() is True

    [arrived] = smtp.to(to)
    assert arrived["Subject"] == "Tu reserva está confirmada ✔"
    assert arrived["From"] == SENDER and arrived["To"] == to
    assert arrived["Message-ID"] == message_id("guest:confirmed:RES9XYZ", SENDER)
    assert arrived["Message-ID"].endswith("@cabanas.test>")
    assert parsedate_to_datetime(arrived["Date"]).tzinfo is not None
    assert arrived.get_content_type() == "multipart/mixed"
    text, html = arrived.get_body(("plain",)), arrived.get_body(("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    assert "Hola Ana, te esperamos." in text.get_content() and "<h1" not in text.get_content()
    assert "<h1" in html.get_content() and "Cabaña del Bosque" in html.get_content()
    [part] = list(arrived.iter_attachments())
    assert part.get_filename() == "reserva.ics" and part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "PUBLISH" and part.get_content_charset() == "utf-8"
    [event] = icalendar.Calendar.from_ical(part.get_content()).events
    assert str(event["UID"]) == "RES9XYZ@cabanas"

    stored = await row(pool, to)
    assert (stored["status"], stored["attempts"], stored["error"]) == ("sent", 1, None)
    assert stored["sent_at"] is not None and counted("sent") == sent_before + 1
    assert await mailer(pool, smtp).run_once() is False  # nothing more to send
    assert len(smtp.to(to)) == 1


async def test_a_transient_refusal_is_retried_then_sent(pool: asyncpg.Pool, smtp: SmtpServer) -> None:
    to = address()
    smtp.defer_once.add(to)
    await queue(pool, simple(to))
    sender = mailer(pool, smtp)
    await sender.run_once()
    waiting = await row(pool, to)
    assert waiting["status"] == "queued" and waiting["error"] == TRY_LATER and smtp.to(to) == []
    await sender.run_once()
    assert len(smtp.to(to)) == 1
    sent = await row(pool, to)
    assert (sent["status"], sent["attempts"], sent["error"]) == ("sent", 2, None)


async def test_a_retry_waits_twice_as_long_each_time_then_fails(pool: asyncpg.Pool) -> None:
    to = address()
    await queue(pool, simple(to))
    nobody = Mailer(pool, settings("127.0.0.1", free_port()), retry_base_seconds=10)  # nobody listens
    delays = []
    for _ in range(2):
        await nobody.run_once()
        stored = await row(pool, to)
        delays.append(round((stored["next_attempt_at"] - stored["created_at"]).total_seconds()))
        async with pool.acquire() as conn:  # due again now, without waiting the delay
            await conn.execute("UPDATE emails SET next_attempt_at = now() WHERE to_address = $1", to)
    assert [d // 10 for d in delays] == [1, 2]  # 10 s, then 20 s (a little more: the time it took)
    await nobody.run_once()  # the third of MESSAGING_MAX_ATTEMPTS=3
    failed = await row(pool, to)
    assert failed["status"] == "failed" and failed["attempts"] == 3 and "Connect" in failed["error"]
    assert await nobody.run_once() is False


async def test_a_permanent_refusal_fails_at_once_with_the_servers_reply(pool: asyncpg.Pool, smtp: SmtpServer) -> None:
    to = f"{uuid.uuid4().hex[:8]}@{REFUSED_DOMAIN}"
    await queue(pool, simple(to))
    failed_before = counted("failed")
    await mailer(pool, smtp).run_once()
    failed = await row(pool, to)
    assert (failed["status"], failed["attempts"], failed["error"]) == ("failed", 1, NO_MAILBOX)
    assert counted("failed") == failed_before + 1 and smtp.to(to) == []
    assert await mailer(pool, smtp).run_once() is False  # never tried again


async def test_two_senders_on_one_outbox_never_send_one_twice(pool: asyncpg.Pool, smtp: SmtpServer) -> None:
    recipients = [address() for _ in range(30)]
    for to in recipients:
        await queue(pool, simple(to))
    first, second = mailer(pool, smtp), mailer(pool, smtp)
    for _ in range(10):
        busy = await asyncio.gather(first.run_once(), second.run_once())
        if not any(busy):
            break
    arrived = [m["To"] for m in smtp.messages]
    assert sorted(arrived) == sorted(recipients)  # each once
    assert len({m["Message-ID"] for m in smtp.messages}) == len(recipients)


async def test_a_sender_that_dies_after_claiming_leaves_it_to_be_sent_once_later(
    pool: asyncpg.Pool, smtp: SmtpServer
) -> None:
    to = address()
    await queue(pool, simple(to), "alert:crash")
    async with pool.acquire() as conn:
        [claimed] = [r for r in await claim(conn, lease_seconds=1) if r["to_address"] == to]  # then it "dies"
    survivor = mailer(pool, smtp)
    await survivor.run_once()
    assert smtp.to(to) == []  # someone else's lease: left alone
    await asyncio.sleep(1.1)
    await survivor.run_once()
    [arrived] = smtp.to(to)
    assert arrived["Message-ID"] == message_id("alert:crash", SENDER)  # the same on any try: a copy can be dropped
    sent = await row(pool, to)
    assert sent["status"] == "sent" and sent["attempts"] == claimed["attempts"] + 1
    await survivor.run_once()
    assert len(smtp.to(to)) == 1


async def test_without_smtp_host_an_email_stays_here(pool: asyncpg.Pool, smtp: SmtpServer) -> None:
    to = address()
    local = mailer(pool, None)
    assert local.sandbox is True
    assert await queue(pool, simple(to), sandbox=local.sandbox) is True
    assert await local.run_once() is False
    assert await mailer(pool, smtp).run_once() is False  # not even a sender with a server takes it
    assert smtp.to(to) == [] and (await row(pool, to))["status"] == "sandbox"
