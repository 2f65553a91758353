"""Who the notifier writes to, against a real Postgres (a messaging schema of its own) and a
small fake of booking's and payments' feeds: WhatsApp guests as always; web guests only once
their number has written to us or the reservation is paid; nobody else."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import asyncpg

from services.common.settings import Settings
from services.messaging import store
from services.messaging import templates as t
from services.messaging.notify import Notifier
from services.messaging.ports import Balance, BookingEvent, Cabin, Held, PaymentEvent


class FakeFeeds:
    """ports.Feeds: the holds waiting for payment; counts the payment links asked for. Its payment
    stream gives every event on each pass, whatever the cursor (at-least-once at its worst)."""

    def __init__(self, holds: list[Held], events: list[PaymentEvent] | None = None) -> None:
        self.held, self.links, self.events = holds, 0, events or []

    def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]:
        raise NotImplementedError  # not followed here

    async def payment_events(self, after_id: int) -> AsyncIterator[PaymentEvent]:
        for event in self.events:
            yield event

    async def reservation(self, code: str) -> Held | None:
        return next((r for r in self.held if r.code == code), None)

    async def holds(self) -> list[Held]:
        return self.held

    async def payment_link(self, code: str) -> str:
        self.links += 1
        return f"https://pago.example/{code}"

    async def cabin(self, cabin_id: int) -> Cabin | None:
        return None

    async def balance(self, code: str) -> Balance | None:
        return None


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


async def test_a_phone_booking_is_told_once_confirmed_and_a_channels_block_never(pool: asyncpg.Pool) -> None:
    notifier = _notifier(pool, FakeFeeds([]))
    whatsapp, phone, held_by_phone = _held("whatsapp"), _held("admin", status="confirmed"), _held("admin")
    ical = _held("ical", status="confirmed")
    await _wrote(pool, ical.phone)
    for r in (whatsapp, phone, held_by_phone, ical):
        await notifier.notify(r, f"event:booking:{r.code}", "confirmada", "reserva_confirmada")
    sent = [await _sent(pool, r.phone) for r in (whatsapp, phone, held_by_phone, ical)]
    assert sent == [["template"], ["template"], [], []]


async def test_reminders_only_to_who_may_get_them_and_no_link_for_the_others(pool: asyncpg.Pool) -> None:
    silent, wrote, whatsapp = _held("web"), _held("web"), _held("whatsapp")
    await _wrote(pool, wrote.phone)
    feeds = FakeFeeds([silent, wrote, whatsapp])
    await _notifier(pool, feeds).remind_due()
    assert [await _sent(pool, r.phone) for r in (silent, wrote, whatsapp)] == [[], ["text"], ["template"]]
    assert feeds.links == 2


async def _texts(pool: asyncpg.Pool, phone: str) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT type, text FROM outbox WHERE phone = $1 ORDER BY id", phone)
    return [(r["type"], r["text"]) for r in rows]


async def _followed(pool: asyncpg.Pool, feeds: FakeFeeds, phone: str, expected: int) -> list[tuple[str, str]]:
    """What the payments stream queued for `phone` once `expected` messages came and one more pass replayed it all."""
    task = asyncio.create_task(_notifier(pool, feeds).follow_payments())
    try:
        async with asyncio.timeout(10):
            while len(await _texts(pool, phone)) < expected:
                assert not task.done(), f"the loop stopped: {task.exception()!r}"
                await asyncio.sleep(0.02)
        await asyncio.sleep(1.2)  # the next pass: the same events again
    finally:
        task.cancel()
    return await _texts(pool, phone)


async def test_refunds_are_told_once_with_the_amount_and_a_failed_one_names_the_owner(pool: asyncpg.Pool) -> None:
    r = replace(_held("whatsapp"), status="cancelled")
    await _wrote(pool, r.phone)
    events = [
        PaymentEvent(1, "payment.approved", "", r.code),  # told by booking's confirmation, not here
        PaymentEvent(2, "payment.refunded", "", r.code, 2_550_000, "ARS"),
        PaymentEvent(3, "refund.failed", "", r.code),
        PaymentEvent(4, "payment.refunded", "", "RESNOBODY", 100_00),  # no such reservation
    ]
    sent = await _followed(pool, FakeFeeds([r], events), r.phone, 2)
    assert sent == [
        (
            "text",
            f"Te devolvimos $25.500 de la reserva {r.code}; puede tardar unos días en verse según tu banco o tarjeta.",
        ),
        ("text", t.REFUND_BY_OWNER.format(code=r.code)),
    ]
    assert "no se pudo" not in sent[1][1] and "error" not in sent[1][1]


async def test_cash_to_give_back_is_told_with_its_amount_and_again_once_given(pool: asyncpg.Pool) -> None:
    r = replace(_held("whatsapp"), status="cancelled")
    await _wrote(pool, r.phone)
    events = [
        # the payment went back 90.000 in all; this refund is 20.000 of it
        PaymentEvent(1, "payment.refunded", "", r.code, 9_000_000, "ARS", refund_minor=2_000_000),
        PaymentEvent(2, "refund.by_hand", "", r.code, 0, "ARS", refund_minor=1_500_000),
        PaymentEvent(3, "payment.refunded", "", r.code, 1_500_000, "ARS", refund_minor=1_500_000, settled=True),
    ]
    sent = await _followed(pool, FakeFeeds([r], events), r.phone, 3)
    assert sent == [
        ("text", t.REFUNDED.format(amount="$20.000", code=r.code)),
        (
            "text",
            f"Te vamos a devolver $15.000 de la reserva {r.code}. Como lo pagaste en efectivo o por transferencia,"
            " el dueño se comunica con vos para coordinarlo 🙌",
        ),
        ("text", f"Listo: quedó registrado que te devolvimos $15.000 de la reserva {r.code} 🙌"),
    ]


async def test_a_refund_outside_the_window_is_a_template_even_to_a_web_guest_who_never_wrote(
    pool: asyncpg.Pool,
) -> None:
    r = replace(_held("web"), status="cancelled")  # paid, then cancelled: their number is theirs
    sent = await _followed(pool, FakeFeeds([r], [PaymentEvent(7, "payment.refunded", "", r.code, 100_000)]), r.phone, 1)
    assert sent == [("template", f"[plantilla pago_actualizado] {t.REFUNDED.format(amount='$1.000', code=r.code)}")]
