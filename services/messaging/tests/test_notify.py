"""Who the notifier writes to, against a real Postgres (a messaging schema of its own) and a
small fake of booking's and payments' feeds: WhatsApp guests as always; web guests only once
their number has written to us or the reservation is paid; nobody else."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import asyncpg

from services.common.settings import Settings
from services.messaging import store
from services.messaging.notify import Notifier
from services.messaging.ports import BookingEvent, Held, PaymentEvent


class FakeFeeds:
    """ports.Feeds: the holds waiting for payment; counts the payment links asked for."""

    def __init__(self, holds: list[Held]) -> None:
        self.held, self.links = holds, 0

    def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]:
        raise NotImplementedError  # the streams are not followed here

    def payment_events(self, after_id: int) -> AsyncIterator[PaymentEvent]:
        raise NotImplementedError

    async def reservation(self, code: str) -> Held | None:
        return next((r for r in self.held if r.code == code), None)

    async def holds(self) -> list[Held]:
        return self.held

    async def payment_link(self, code: str) -> str:
        self.links += 1
        return f"https://pago.example/{code}"


def _held(channel: str, status: str = "pre_reserved", phone: str = "") -> Held:
    return Held(
        code=f"RES{uuid.uuid4().hex[:8].upper()}",
        cabin="Cabaña del Lago",
        check_in=date(2030, 1, 10),
        check_out=date(2030, 1, 12),
        guests=2,
        total_minor=100_000,
        deposit_minor=30_000,
        currency="ARS",
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
        status=status,
        guest_name="Ana Pérez",
        phone=phone or "549" + str(uuid.uuid4().int)[:10],
        channel=channel,
    )


def _notifier(pool: asyncpg.Pool, feeds: FakeFeeds) -> Notifier:
    return Notifier(pool, Settings(), feeds, sandbox=False, kick=lambda: None)


async def _sent(pool: asyncpg.Pool, phone: str) -> list[str]:
    async with pool.acquire() as conn:
        return [r["type"] for r in await conn.fetch("SELECT type FROM outbox WHERE phone = $1 ORDER BY id", phone)]


async def _wrote(pool: asyncpg.Pool, phone: str, ago: timedelta = timedelta(0)) -> None:
    async with pool.acquire() as conn:
        await store.touch_conversation(conn, phone, "Ana", datetime.now(UTC) - ago, None)


async def test_a_web_guest_who_never_wrote_gets_nothing_until_paid(pool: asyncpg.Pool) -> None:
    notifier, r = _notifier(pool, FakeFeeds([])), _held("web")
    await notifier.notify(r, "event:booking:1", "vence", "reserva_vencida")
    await notifier.notify(r, "event:payments:2", "pago pendiente", "pago_actualizado")
    assert await _sent(pool, r.phone) == []
    await notifier.notify(replace(r, status="confirmed"), "event:booking:3", "confirmada", "reserva_confirmada")
    assert await _sent(pool, r.phone) == ["template"]  # never wrote: outside the 24-hour window


async def test_a_web_guest_who_wrote_is_told_like_a_whatsapp_guest(pool: asyncpg.Pool) -> None:
    notifier, recent, long_ago = _notifier(pool, FakeFeeds([])), _held("web"), _held("web")
    await _wrote(pool, recent.phone)
    await _wrote(pool, long_ago.phone, timedelta(days=3))
    for r in (recent, long_ago):
        await notifier.notify(r, f"event:booking:{r.code}", "vence", "reserva_vencida")
    assert (await _sent(pool, recent.phone), await _sent(pool, long_ago.phone)) == (["text"], ["template"])


async def test_a_handoff_alone_is_not_writing_to_us(pool: asyncpg.Pool) -> None:
    notifier, r = _notifier(pool, FakeFeeds([])), _held("web")
    async with pool.acquire() as conn:
        # A conversation without an inbound message (an admin's handoff made one before 0004).
        await conn.execute("INSERT INTO conversations (phone, handoff) VALUES ($1, true)", r.phone)
    await notifier.notify(r, "event:booking:1", "vence", "reserva_vencida")
    assert await _sent(pool, r.phone) == []


async def test_whatsapp_guests_as_before_other_channels_never(pool: asyncpg.Pool) -> None:
    notifier = _notifier(pool, FakeFeeds([]))
    whatsapp, admin = _held("whatsapp"), _held("admin", status="confirmed")
    await _wrote(pool, admin.phone)
    for r in (whatsapp, admin):
        await notifier.notify(r, f"event:booking:{r.code}", "vence", "reserva_vencida")
    assert (await _sent(pool, whatsapp.phone), await _sent(pool, admin.phone)) == (["template"], [])


async def test_reminders_only_to_who_may_get_them_and_no_link_for_the_others(pool: asyncpg.Pool) -> None:
    silent, wrote, whatsapp = _held("web"), _held("web"), _held("whatsapp")
    await _wrote(pool, wrote.phone)
    feeds = FakeFeeds([silent, wrote, whatsapp])
    await _notifier(pool, feeds).remind_due()
    assert [await _sent(pool, r.phone) for r in (silent, wrote, whatsapp)] == [[], ["text"], ["template"]]
    assert feeds.links == 2
