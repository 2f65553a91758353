"""The guest's journey against a real Postgres (a messaging schema of its own) and small fakes of
booking's and payments' feeds: messages planned from booking's events at local hours, sent once
when due (two schedulers, a crash after the claim), re-planned or dropped when the stay changes,
told on WhatsApp and by e-mail (the e-mail outbox), and nothing to a guest who opted out."""

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import icalendar

from services.common.settings import Settings
from services.messaging import store
from services.messaging import templates as t
from services.messaging.conversations import Sender, Worker
from services.messaging.journey import LEASE, Journey, dedupe_key, plan
from services.messaging.notify import Notifier
from services.messaging.ports import CHAT_CANCEL_REASON, Balance, BookingEvent, Cabin, GuestWords, Held
from services.messaging.tests.fakes import EmptyFeeds
from services.messaging.tests.test_dialog import FakeBackend
from services.messaging.tests.test_worker import _deaf
from services.messaging.whatsapp import Inbound

ZONE = ZoneInfo("America/Argentina/Buenos_Aires")
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=ZONE)
WORDS = GuestWords(
    keys="Las llaves están en la caja con candado, código 1234.",
    arrival_note="Hay leña en el galpón.",
    departure_note="Dejá las llaves sobre la mesa.",
    review_url="https://g.page/cabana-del-lago/review",
    confirmed_note="Cualquier cosa, escribime a este número.",
)
CABIN = Cabin(
    id=7,
    slug="cabana-del-lago",
    name="Cabaña del Lago",
    capacity=4,
    check_in_time="15:00",
    check_out_time="10:00",
    address="Ruta 40 km 12",
    city="Villa La Angostura",
    maps_url="https://maps.example/lago",
    faq=MappingProxyType({"wifi": "Red Lago, clave pinos2030.", "house_rules": "No se fuma adentro."}),
    time_zone="America/Argentina/Buenos_Aires",
    photo_url="https://fotos.example/lago.jpg",
    words=WORDS,
)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class FakeFeeds(EmptyFeeds):
    """ports.Feeds: reservations, cabins and balances as a test sets them; its booking stream gives
    the events after the cursor and ends (the notifier's loop opens it again)."""

    def __init__(self) -> None:
        super().__init__()
        self.cabins = {CABIN.id: CABIN}
        self.balances: dict[str, Balance] = {}
        self.events: list[BookingEvent] = []

    def event(
        self, type: str, r: Held, before: tuple[date, date] | None = None, actor: str = "", reason: str = ""
    ) -> BookingEvent:
        self.held[r.code] = r
        event = BookingEvent(len(self.events) + 1, type, "", r, before, actor=actor, reason=reason)
        self.events.append(event)
        return event

    async def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]:
        for event in self.events:
            if event.id > after_id:
                yield event

    async def cabin(self, cabin_id: int) -> Cabin | None:
        return self.cabins.get(cabin_id)

    async def balance(self, code: str) -> Balance | None:
        return self.balances.get(code)


def _held(check_in: date, nights: int = 3, email: str = "", **fields: Any) -> Held:
    return Held(
        code=f"RES{uuid.uuid4().hex[:8].upper()}",
        cabin=CABIN.name,
        check_in=check_in,
        check_out=check_in + timedelta(days=nights),
        guests=2,
        total_minor=30_000_000,
        deposit_minor=9_000_000,
        currency="ARS",
        expires_at=None,
        status="confirmed",
        guest_name="Ana Pérez",
        phone="549" + str(uuid.uuid4().int)[:10],
        channel="whatsapp",
        email=email,
        cabin_id=CABIN.id,
        time_zone=CABIN.time_zone,
        **fields,
    )


async def _wrote(pool: asyncpg.Pool, r: Held) -> Held:
    """The guest wrote to us a moment ago: inside the 24-hour window, free text goes."""
    async with pool.acquire() as conn:
        await store.touch_conversation(conn, r.phone, "Ana", datetime.now(UTC), None)
    return r


def _parts(pool: asyncpg.Pool, feeds: FakeFeeds, clock: Clock) -> tuple[Notifier, Journey]:
    notifier = Notifier(pool, Settings(), feeds, sandbox=True, kick=lambda: None)
    return notifier, Journey(pool, Settings(), feeds, notifier, clock)


async def _told(pool: asyncpg.Pool, notifier: Notifier, journey: Journey, feeds: FakeFeeds) -> None:
    """Both consumers of booking's stream, to its end: the notifier's messages and the journey's plans."""
    tasks = [asyncio.create_task(notifier.follow_booking()), asyncio.create_task(journey.follow())]
    try:
        async with asyncio.timeout(10):
            while {await notifier._cursor("booking"), await notifier._cursor("journey")} != {len(feeds.events)}:
                assert not any(task.done() for task in tasks), "a loop stopped"
                await asyncio.sleep(0.02)
    finally:
        for task in tasks:
            task.cancel()


async def _texts(pool: asyncpg.Pool, phone: str) -> list[str]:
    async with pool.acquire() as conn:
        return [r["text"] for r in await conn.fetch("SELECT text FROM outbox WHERE phone = $1 ORDER BY id", phone)]


async def _rows(pool: asyncpg.Pool, code: str) -> dict[str, asyncpg.Record]:
    async with pool.acquire() as conn:
        return {r["kind"]: r for r in await conn.fetch("SELECT * FROM journey WHERE code = $1", code)}


async def _emails(pool: asyncpg.Pool, to: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch("SELECT * FROM emails WHERE to_address = $1 ORDER BY id", to)


def _event_of(row: asyncpg.Record) -> icalendar.cal.Component:
    [attachment] = row["attachments"]
    assert attachment["filename"] == "reserva.ics"
    calendar = icalendar.Calendar.from_ical(base64.b64decode(attachment["data"]))
    [event] = calendar.walk("VEVENT")
    return event


def test_times_are_the_cabins_local_hours() -> None:
    r = _held(date(2030, 4, 10), nights=4)
    due = {d.kind: d.at for d in plan(r, Settings(), NOW)}
    assert due == {
        "balance_due": datetime(2030, 4, 3, 10, 0, tzinfo=ZONE),
        "checkin": datetime(2030, 4, 8, 10, 0, tzinfo=ZONE),
        "checkout": datetime(2030, 4, 13, 19, 0, tzinfo=ZONE),
        "review": datetime(2030, 4, 15, 11, 0, tzinfo=ZONE),
    }
    madrid = {d.kind: d.at for d in plan(replace(r, time_zone="Europe/Madrid"), Settings(), NOW)}
    assert madrid["checkin"] == datetime(2030, 4, 8, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    assert madrid["checkin"] - due["checkin"] == timedelta(hours=-5)  # 10:00 there is 05:00 in Buenos Aires
    on_arrival = plan(replace(r, balance_on_arrival=True), Settings(checkin_instructions_days_before=3), NOW)
    assert [(d.kind, d.at.day) for d in on_arrival] == [("checkin", 7), ("checkout", 13), ("review", 15)]


def test_a_stay_booked_inside_the_windows_is_due_now_and_what_no_longer_helps_is_not_planned() -> None:
    tomorrow = plan(_held(NOW.date() + timedelta(days=1), nights=1), Settings(), NOW)
    assert [(d.kind, d.at) for d in tomorrow] == [
        ("balance_due", NOW),
        ("checkin", NOW),
        ("checkout", datetime(2030, 3, 2, 19, 0, tzinfo=ZONE)),
        ("review", datetime(2030, 3, 4, 11, 0, tzinfo=ZONE)),
    ]
    leaving_today = plan(_held(NOW.date() - timedelta(days=2), nights=2), Settings(), NOW)
    assert [(d.kind, d.at) for d in leaving_today] == [("review", datetime(2030, 3, 2, 11, 0, tzinfo=ZONE))]
    assert plan(_held(NOW.date() - timedelta(days=10), nights=2), Settings(), NOW) == []


async def test_each_message_once_at_its_time_with_the_cabins_data(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    r = await _wrote(pool, _held(date(2030, 4, 10)))
    feeds.balances[r.code] = Balance(9_000_000, 21_000_000, "ARS", payment_url=f"https://pago.example/saldo/{r.code}")
    feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, journey, feeds)
    confirmed = await _texts(pool, r.phone)
    assert len(confirmed) == 1 and confirmed[0].endswith("\n" + WORDS.confirmed_note), confirmed

    await journey.send_due()
    assert len(await _texts(pool, r.phone)) == 1  # nothing due yet
    for at in (datetime(2030, 4, 3, 10, 0, tzinfo=ZONE), datetime(2030, 4, 8, 10, 0, tzinfo=ZONE)):
        clock.at = at - timedelta(seconds=1)
        await journey.send_due()
        assert len(await _texts(pool, r.phone)) == len(confirmed)
        clock.at = at
        await journey.send_due()
        await journey.send_due()
        confirmed = await _texts(pool, r.phone)
    balance, checkin = confirmed[1:]
    assert balance == (
        "Hola, Ana. Faltan 7 días para tu llegada a Cabaña del Lago 🏡 Te falta pagar $210.000 de la reserva"
        f" {r.code}; podés hacerlo acá:\nhttps://pago.example/saldo/{r.code}"
    )
    assert checkin.split("\n") == [
        "¡Hola, Ana! Te esperamos el 10 de abril en Cabaña del Lago 🏡 Te dejo lo que necesitás para llegar:",
        "Dirección: Ruta 40 km 12, Villa La Angostura",
        "Mapa: https://maps.example/lago",
        "El check-in es desde las 15:00.",
        f"Las llaves: {WORDS.keys}",
        "Wifi: Red Lago, clave pinos2030.",
        "Reglas de la casa: No se fuma adentro.",
        WORDS.arrival_note,
        t.CHECKIN_END,
    ]
    for at in (datetime(2030, 4, 12, 19, 0, tzinfo=ZONE), datetime(2030, 4, 14, 11, 0, tzinfo=ZONE)):
        clock.at = at
        await journey.send_due()
    checkout, review = (await _texts(pool, r.phone))[3:]
    assert checkout.split("\n") == [
        "Hola, Ana. Mañana es tu salida de Cabaña del Lago.",
        "El check-out es hasta las 10:00.",
        WORDS.departure_note,
        t.CHECKOUT_END,
    ]
    assert review.endswith(f"\n{WORDS.review_url}")
    rows = await _rows(pool, r.code)
    assert {k: (row["status"], row["attempts"]) for k, row in rows.items()} == {
        k: ("sent", 1) for k in ("balance_due", "checkin", "checkout", "review")
    }
    async with pool.acquire() as conn:  # the cursors lost: the confirmation is read again
        await conn.execute("UPDATE cursors SET after_id = 0")
    await _told(pool, notifier, journey, feeds)
    await journey.send_due()
    assert len(await _texts(pool, r.phone)) == 5
    assert {row["status"] for row in (await _rows(pool, r.code)).values()} == {"sent"}


async def test_a_message_whose_day_went_by_is_skipped_not_sent_late(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    r = await _wrote(pool, _held(date(2030, 4, 10), balance_on_arrival=True))
    feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, journey, feeds)
    clock.at = datetime(2030, 4, 12, 9, 0, tzinfo=ZONE)  # the senders were down since before the instructions
    await journey.send_due()
    rows = await _rows(pool, r.code)
    assert (rows["checkin"]["status"], rows["checkin"]["outcome"]) == ("skipped", "too_late")
    assert len(await _texts(pool, r.phone)) == 1 and rows["checkout"]["status"] == "planned"


async def test_booked_inside_the_window_the_instructions_follow_the_confirmation(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    r = await _wrote(pool, _held(NOW.date() + timedelta(days=1), balance_on_arrival=True))
    event = feeds.event("reservation.confirmed", r)
    await journey.on_event(event)
    await journey.send_due()
    assert await _texts(pool, r.phone) == []  # the notifier has not told the confirmation yet
    await _told(pool, notifier, journey, feeds)
    await journey.send_due()
    said = await _texts(pool, r.phone)
    assert [s.split("\n")[0] for s in said] == [
        t.CONFIRMED.format(
            name="Ana", code=r.code, cabin=r.cabin, check_in=t.day(r.check_in), check_out=t.day(r.check_out)
        ),
        "¡Hola, Ana! Te esperamos el 2 de marzo en Cabaña del Lago 🏡 Te dejo lo que necesitás para llegar:",
    ]
    assert "balance_due" not in await _rows(pool, r.code)  # paid at the cabin


async def test_the_sender_does_not_nap_on_a_row_held_back_for_the_confirmation(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    r = await _wrote(pool, _held(NOW.date() + timedelta(days=1), balance_on_arrival=True))
    await journey.on_event(feeds.event("reservation.confirmed", r))
    tasks = [asyncio.create_task(journey.run())]
    try:
        await asyncio.sleep(0.2)  # a pass found the row held back
        tasks.append(asyncio.create_task(notifier.follow_booking()))  # nothing wakes the sender: it looks again
        async with asyncio.timeout(5):  # well before PAUSE
            while len(await _texts(pool, r.phone)) < 2:
                assert not any(task.done() for task in tasks), "a loop stopped"
                await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()


async def test_new_dates_are_told_and_re_planned_and_the_old_ones_never_sent(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    r = await _wrote(
        pool, _held(NOW.date() + timedelta(days=1), nights=2, balance_on_arrival=True, email="ana@example.com")
    )
    feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, journey, feeds)
    await journey.send_due()  # the instructions for tomorrow
    moved = replace(r, check_in=date(2030, 5, 20), check_out=date(2030, 5, 23), total_minor=45_000_000)
    feeds.balances[r.code] = Balance(9_000_000, 36_000_000, "ARS")
    feeds.event("reservation.dates_changed", moved, (r.check_in, r.check_out))
    await _told(pool, notifier, journey, feeds)
    told = (await _texts(pool, r.phone))[-1]
    assert told.split("\n") == [
        f"Hola, Ana. Cambiamos las fechas de tu reserva {r.code} en Cabaña del Lago: ahora es del 20 al 23 de mayo"
        " (antes era del 2 al 4 de marzo).",
        "El total queda en $450.000.",
        "Te falta pagar $360.000.",
    ]
    rows = await _rows(pool, r.code)
    assert {k: (row["status"], row["check_in"], row["due_at"]) for k, row in rows.items()} == {
        "checkin": ("planned", moved.check_in, datetime(2030, 5, 18, 10, 0, tzinfo=ZONE)),
        "checkout": ("planned", moved.check_in, datetime(2030, 5, 22, 19, 0, tzinfo=ZONE)),
        "review": ("planned", moved.check_in, datetime(2030, 5, 24, 11, 0, tzinfo=ZONE)),
    }
    clock.at = datetime(2030, 3, 3, 20, 0, tzinfo=ZONE)  # the old check-out's evening
    await journey.send_due()
    assert len(await _texts(pool, r.phone)) == 3  # confirmed, instructions, new dates
    clock.at = datetime(2030, 5, 18, 10, 0, tzinfo=ZONE)
    await journey.send_due()
    assert (await _texts(pool, r.phone))[-1].startswith("¡Hola, Ana! Te esperamos el 20 de mayo")
    emails = await _emails(pool, "ana@example.com")
    assert [e["dedupe_key"] for e in emails] == [
        "event:booking:1",
        dedupe_key("checkin", r.code, r.check_in),
        "event:booking:2",
        dedupe_key("checkin", r.code, moved.check_in),
    ]
    first, changed = _event_of(emails[0]), _event_of(emails[2])
    assert first["UID"] == changed["UID"] and changed.decoded("SEQUENCE") > first.decoded("SEQUENCE")
    assert changed.decoded("DTSTART") == datetime(2030, 5, 20, 15, 0, tzinfo=ZONE)


async def test_a_cancelled_stay_gets_no_reminder(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    told, silent = await _wrote(pool, _held(date(2030, 4, 10))), _held(date(2030, 4, 12))
    for r in (told, silent):
        feeds.event("reservation.confirmed", r)
    feeds.balances[told.code] = Balance(9_000_000, 0, "ARS", refunding_minor=9_000_000)
    feeds.event(
        "reservation.cancelled", replace(told, status="cancelled"), actor="user:1", reason="Se rompió el calefón"
    )
    await _told(pool, notifier, journey, feeds)
    feeds.held[silent.code] = replace(silent, status="cancelled")  # booking knows; its event is not read yet
    clock.at = datetime(2030, 5, 1, tzinfo=ZONE)
    await journey.send_due()
    assert (await _texts(pool, told.phone))[1:] == [
        f"Hola, Ana. Tuvimos que cancelar tu reserva {told.code} en Cabaña del Lago (del 10 al 13 de abril);"
        " perdón por las molestias.\nTe devolvemos $90.000 por el mismo medio con el que pagaste; te avisamos cuando salga."
    ]
    assert len(await _texts(pool, silent.phone)) == 1  # the confirmation only
    assert {row["status"] for row in (await _rows(pool, told.code)).values()} == {"cancelled"}
    assert {row["outcome"] for row in (await _rows(pool, silent.code)).values()} == {"not_confirmed"}


async def test_a_cancellation_by_the_guest_says_what_goes_back_and_the_chats_own_is_not_said_twice(
    pool: asyncpg.Pool,
) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    web, chat = await _wrote(pool, _held(date(2030, 4, 10))), _held(date(2030, 4, 20), email="chat@example.com")
    feeds.balances[web.code] = Balance(9_000_000, 0, "ARS")  # paid, refund not asked yet
    for r, reason in ((web, ""), (chat, CHAT_CANCEL_REASON)):
        feeds.event("reservation.cancelled", replace(r, status="cancelled"), actor="guest", reason=reason)
    await _told(pool, notifier, journey, feeds)
    assert await _texts(pool, web.phone) == [
        f"Listo, Ana: cancelamos tu reserva {web.code} en Cabaña del Lago (del 10 al 13 de abril).\n{t.STAY_REFUND_LATER}"
    ]
    assert await _texts(pool, chat.phone) == []  # answered in the chat already
    [email] = await _emails(pool, "chat@example.com")
    cancelled = _event_of(email)
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled.decoded("SEQUENCE") == 2


async def test_two_schedulers_on_one_table_never_send_twice(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, first = _parts(pool, feeds, clock)
    second = _parts(pool, feeds, clock)[1]
    stays = [_held(NOW.date() + timedelta(days=1), email=f"g{n}@example.com") for n in range(30)]
    for r in stays:
        feeds.balances[r.code] = Balance(9_000_000, 0, "ARS")
        feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, first, feeds)
    await asyncio.gather(first.send_due(), second.send_due(), first.send_due(), second.send_due())
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT kind, status, attempts FROM journey WHERE code = ANY($1) AND kind IN ('checkin', 'balance_due')",
            [r.code for r in stays],
        )
    assert len(rows) == 60 and {(r["status"], r["attempts"]) for r in rows} == {("sent", 1), ("skipped", 1)}
    for r in stays:
        assert len(await _texts(pool, r.phone)) == 2  # the confirmation, the instructions
        assert len(await _emails(pool, r.email)) == 2


async def test_a_crash_after_the_claim_sends_once(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, crashed = _parts(pool, feeds, clock)
    later = _parts(pool, feeds, clock)[1]
    r = await _wrote(pool, _held(NOW.date() + timedelta(days=1), balance_on_arrival=True))
    feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, crashed, feeds)
    [claimed] = await crashed.claim()  # and then the process dies
    await later.send_due()
    assert len(await _texts(pool, r.phone)) == 1  # leased: not lost, not taken either
    clock.at = NOW + LEASE
    await later.send_due()
    await crashed.send(claimed)  # it was only slow: its late send changes nothing
    said = await _texts(pool, r.phone)
    assert len(said) == 2 and said[1].startswith("¡Hola, Ana! Te esperamos")
    row = (await _rows(pool, r.code))["checkin"]
    assert (row["status"], row["attempts"]) == ("sent", 2)


async def test_no_review_request_without_a_link_and_no_balance_link_when_paid(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    feeds.cabins[CABIN.id] = replace(CABIN, words=replace(WORDS, review_url=""))
    notifier, journey = _parts(pool, feeds, clock)
    r = await _wrote(pool, _held(date(2030, 4, 10)))
    feeds.balances[r.code] = Balance(30_000_000, 0, "ARS")
    feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, journey, feeds)
    for day in (3, 8, 12, 14, 15):
        clock.at = datetime(2030, 4, day, 20, 0, tzinfo=ZONE)
        await journey.send_due()
    said = await _texts(pool, r.phone)
    assert len(said) == 3 and not any("reseña" in s or "Te falta pagar" in s for s in said), said
    rows = await _rows(pool, r.code)
    assert (rows["review"]["status"], rows["review"]["outcome"]) == ("skipped", "no_review_link")
    assert (rows["balance_due"]["status"], rows["balance_due"]["outcome"]) == ("skipped", "nothing_due")


async def test_the_confirmation_by_e_mail_carries_the_stay(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    r = _held(date(2030, 4, 10), email="ana@example.com")
    feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, journey, feeds)
    await _told(pool, notifier, journey, feeds)  # a replay queues nothing more
    [email] = await _emails(pool, "ana@example.com")
    assert email["subject"] == f"Tu reserva {r.code} en Cabaña del Lago está confirmada"
    assert WORDS.confirmed_note in email["text_body"] and CABIN.photo_url in email["html_body"]
    event = _event_of(email)
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
        datetime(2030, 4, 10, 15, 0, tzinfo=ZONE),
        datetime(2030, 4, 13, 10, 0, tzinfo=ZONE),
    )
    assert event["STATUS"] == "CONFIRMED" and "Ruta 40 km 12" in str(event["LOCATION"])


def _inbound(phone: str, text: str) -> Inbound:
    return Inbound(f"wamid.{uuid.uuid4().hex}", phone, "Ana", "text", text, datetime.now(UTC), {})


async def _write(pool: asyncpg.Pool, worker: Worker, phone: str, text: str) -> str:
    """The guest writes; the bot's answer."""
    async with pool.acquire() as conn:
        await store.store_inbound(conn, [_inbound(phone, text)], "")
    await worker.run_once()
    return (await _texts(pool, phone))[-1]


async def test_an_opted_out_guest_gets_only_answers_until_they_write_alta(pool: asyncpg.Pool) -> None:
    feeds, clock = FakeFeeds(), Clock(NOW)
    notifier, journey = _parts(pool, feeds, clock)
    worker = Worker(pool, None, FakeBackend(), True, Sender(pool, None), _deaf, 0.5)
    r = _held(NOW.date() + timedelta(days=1), balance_on_arrival=True, email="ana@example.com")
    assert await _write(pool, worker, r.phone, "No me escriban más, gracias") == t.OPTED_OUT
    async with pool.acquire() as conn:
        recorded = await store.conversation(conn, r.phone)
    assert recorded is not None and recorded["opted_out_at"] is not None
    feeds.event("reservation.confirmed", r)
    await _told(pool, notifier, journey, feeds)
    await journey.send_due()
    await notifier.notify(r, "event:payments:9", "pago pendiente", "pago_actualizado")
    assert await _texts(pool, r.phone) == [t.OPTED_OUT]
    assert await _emails(pool, "ana@example.com") == []
    assert (await _rows(pool, r.code))["checkin"]["status"] == "sent"  # its moment went, unsaid: not later

    assert await _write(pool, worker, r.phone, "alta") == t.OPTED_IN
    feeds.event("reservation.dates_changed", replace(r, check_in=date(2030, 6, 1), check_out=date(2030, 6, 3)))
    await _told(pool, notifier, journey, feeds)
    assert (await _texts(pool, r.phone))[-1].startswith("Hola, Ana. Cambiamos las fechas")
    assert len(await _emails(pool, "ana@example.com")) == 1
