"""The team's alerts against a real Postgres (a messaging schema of its own), with small in-memory
fakes of booking's and payments' feeds, accounts' team and calendar's feeds: who gets which alert
on which channel, batching, once per event, the 24-hour window, e-mail instead of WhatsApp, and
accounts down."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest
from prometheus_client import REGISTRY

from cabanas.v1 import accounts_pb2
from services.common import pb
from services.common.errors import DomainError, unavailable
from services.common.settings import Settings
from services.messaging import inbox, store
from services.messaging.alerts import Alerts
from services.messaging.notify import Notifier
from services.messaging.ports import Balance, BookingEvent, Cabin, FeedState, Held, Member, PaymentEvent
from services.messaging.tests.fakes import EmptyFeeds

EVERY = frozenset(pb.enum_values(accounts_pb2.Alert, "ALERT_"))


def _phone() -> str:
    return "549" + str(uuid.uuid4().int)[:10]


def _held(code: str = "") -> Held:
    return Held(
        code=code or f"RES{uuid.uuid4().hex[:8].upper()}",
        cabin="Cabaña del Lago",
        check_in=date(2030, 1, 12),
        check_out=date(2030, 1, 15),
        guests=2,
        total_minor=10_000_000,
        deposit_minor=3_000_000,
        currency="ARS",
        expires_at=None,
        status="confirmed",
        guest_name="Ana Pérez",
        phone=_phone(),
    )


class FakeFeeds(EmptyFeeds):
    """ports.Feeds: its streams give every event on each pass, whatever the cursor (at-least-once at
    its worst); reservations by code, who cancelled each, what each paid."""

    def __init__(self) -> None:
        super().__init__()
        self.bookings: list[BookingEvent] = []
        self.payments: list[PaymentEvent] = []
        self.paid: dict[str, int] = {}

    async def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]:
        for event in self.bookings:
            yield event

    async def payment_events(self, after_id: int) -> AsyncIterator[PaymentEvent]:
        for event in self.payments:
            yield event

    async def cabin(self, cabin_id: int) -> Cabin | None:
        return Cabin(cabin_id, "lago", "Cabaña del Lago", 4) if cabin_id == 7 else None

    async def balance(self, code: str) -> Balance | None:
        return Balance(paid_minor=self.paid[code], due_minor=0, currency="ARS") if code in self.paid else None


class FakeTeam:
    """ports.Team: the users as accounts lists them; `down` answers as accounts not answering."""

    def __init__(self, *members: Member) -> None:
        self.people, self.down = list(members), False

    async def members(self) -> list[Member]:
        if self.down:
            raise unavailable("UNAVAILABLE", "accounts did not answer")
        return self.people


class FakeCalendars:
    def __init__(self, *feeds: FeedState) -> None:
        self.listed = list(feeds)

    async def feeds(self) -> list[FeedState]:
        return self.listed


def _member(
    role: str = "owner", phone: str = "", whatsapp: frozenset[str] = EVERY, email: frozenset[str] = frozenset()
) -> Member:
    uid = uuid.uuid4().int % 1_000_000
    return Member(uid, "Carla", f"{uid}@example.com", phone, role, whatsapp, email)


def _alerts(
    pool: asyncpg.Pool,
    feeds: FakeFeeds,
    team: FakeTeam,
    calendars: FakeCalendars | None = None,
    **settings: object,
) -> Alerts:
    s = Settings(console_base_url="https://consola.example", **settings)  # type: ignore[arg-type]
    notifier = Notifier(pool, s, feeds, sandbox=False, kick=lambda: None)
    return Alerts(pool, s, feeds, team, calendars or FakeCalendars(), notifier)


def _confirmed(feeds: FakeFeeds, paid: int = 3_000_000) -> BookingEvent:
    r = _held()
    feeds.held[r.code], feeds.paid[r.code] = r, paid
    event = BookingEvent(uuid.uuid4().int % 10**12, "reservation.confirmed", "", r)
    feeds.bookings.append(event)
    return event


async def _whatsapp(pool: asyncpg.Pool, phone: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch("SELECT * FROM outbox WHERE phone = $1 ORDER BY id", phone)


async def _emails(pool: asyncpg.Pool, to: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch("SELECT * FROM emails WHERE to_address = $1 ORDER BY id", to)


async def _wrote(pool: asyncpg.Pool, phone: str, ago: timedelta) -> None:
    async with pool.acquire() as conn:
        await store.touch_conversation(conn, phone, "Carla", datetime.now(UTC) - ago, None)


async def _writing(pool: asyncpg.Pool) -> Member:
    """An owner who wrote to our number an hour ago: free text reaches them."""
    owner = _member(phone=_phone())
    await _wrote(pool, owner.phone, timedelta(hours=1))
    return owner


async def test_each_user_gets_the_alerts_they_chose_on_each_channel(pool: asyncpg.Pool) -> None:
    on_whatsapp = _member(phone=_phone(), whatsapp=frozenset({"new_booking"}))
    by_email = _member("staff", phone=_phone(), whatsapp=frozenset(), email=frozenset({"new_booking"}))
    not_this_one = _member("staff", phone=_phone(), whatsapp=frozenset({"guest_waiting"}))
    viewer = _member("viewer", phone=_phone(), whatsapp=EVERY, email=EVERY)
    feeds = FakeFeeds()
    alerts = _alerts(pool, feeds, FakeTeam(on_whatsapp, by_email, not_this_one, viewer))
    event = _confirmed(feeds)
    await alerts.on_booking(event)
    assert await alerts.flush() == 2
    [message] = await _whatsapp(pool, on_whatsapp.phone)
    code = event.reservation.code if event.reservation else ""
    assert (
        f"Nueva reserva {code} en Cabaña del Lago, del 12 al 15 de enero: Ana Pérez, pagó $30.000." in message["text"]
    )
    assert f"https://consola.example/reservas/{code}" in message["text"]
    [email] = await _emails(pool, by_email.email)
    assert email["subject"] == "Nueva reserva" and code in email["text_body"]
    assert await _whatsapp(pool, by_email.phone) == []
    for nobody in (not_this_one, viewer):
        assert await _whatsapp(pool, nobody.phone) == [] and await _emails(pool, nobody.email) == []


class LateFeeds(FakeFeeds):
    """Payments answering as it does while the payment that confirmed a stay is not yet committed:
    nothing paid, for the first `late` questions."""

    def __init__(self, late: int) -> None:
        super().__init__()
        self.late, self.asked = late, 0

    async def balance(self, code: str) -> Balance | None:
        self.asked += 1
        counted = await super().balance(code)
        return replace(counted, paid_minor=0) if counted and self.asked <= self.late else counted


@pytest.mark.parametrize(("actor", "said"), [("payments", ", pagó $30.000."), ("user:3", ": Ana Pérez. →")])
async def test_a_booking_confirmed_by_a_payment_is_told_with_what_was_paid(
    pool: asyncpg.Pool, actor: str, said: str
) -> None:
    owner = await _writing(pool)
    feeds = LateFeeds(late=2)
    alerts = _alerts(pool, feeds, FakeTeam(owner))
    event = replace(_confirmed(feeds), actor=actor)
    await alerts.on_booking(event)
    await alerts.flush()
    [message] = await _whatsapp(pool, owner.phone)
    assert said in message["text"]
    assert feeds.asked == (3 if actor == "payments" else 1)  # confirmed by hand (cash): asked once


async def test_a_user_without_a_phone_gets_their_whatsapp_alerts_by_email(pool: asyncpg.Pool) -> None:
    no_phone = _member(whatsapp=frozenset({"new_booking"}), email=frozenset({"new_booking"}))
    feeds = FakeFeeds()
    alerts = _alerts(pool, feeds, FakeTeam(no_phone))
    await alerts.on_booking(_confirmed(feeds))
    await alerts.flush()
    assert len(await _emails(pool, no_phone.email)) == 1  # asked on both channels: one e-mail


async def test_the_development_owner_gets_every_alert_on_whatsapp_once(pool: asyncpg.Pool) -> None:
    owner = _phone()
    same_person = _member(phone=owner)  # make run's owner is also a user with that phone
    feeds = FakeFeeds()
    r = _held()
    feeds.held[r.code] = r
    feeds.payments.append(PaymentEvent(uuid.uuid4().int % 10**12, "payment.issue", "", r.code, issue="charged_back"))
    alerts = _alerts(pool, feeds, FakeTeam(same_person), console_owner_phone=f"+{owner[:2]} {owner[2:]}")
    await alerts.on_payment(feeds.payments[0])
    await alerts.flush()
    [message] = await _whatsapp(pool, owner)
    assert "Ana Pérez desconoció con su tarjeta un pago" in message["text"]
    alone = _alerts(pool, feeds, FakeTeam(), console_owner_phone=owner)
    await alone.on_booking(BookingEvent(uuid.uuid4().int % 10**12, "reservation.cancelled", "", r, actor="guest"))
    await alone.flush()
    assert "Ana Pérez canceló la reserva" in (await _whatsapp(pool, owner))[-1]["text"]


async def test_five_alerts_at_once_go_as_one_message_per_recipient(pool: asyncpg.Pool) -> None:
    owner, staff = await _writing(pool), _member("staff", email=frozenset({"new_booking"}), whatsapp=frozenset())
    feeds = FakeFeeds()
    alerts = _alerts(pool, feeds, FakeTeam(owner, staff))
    counted = REGISTRY.get_sample_value("messaging_alerts_total", {"kind": "new_booking", "channel": "whatsapp"}) or 0
    for _ in range(5):
        await alerts.on_booking(_confirmed(feeds))
    assert await alerts.flush() == 2
    assert REGISTRY.get_sample_value("messaging_alerts_total", {"kind": "new_booking", "channel": "whatsapp"}) == (
        counted + 5
    )
    [message] = await _whatsapp(pool, owner.phone)
    lines = message["text"].split("\n")
    assert (
        lines[0] == "Tenés 5 avisos:"
        and len(lines) == 6
        and all(line.startswith("• Nueva reserva") for line in lines[1:])
    )
    [email] = await _emails(pool, staff.email)
    assert email["subject"] == "Tenés 5 avisos" and email["text_body"].count("Nueva reserva") == 5
    assert await alerts.flush() == 0  # nothing more


async def test_each_event_alerts_once_across_replays_and_restarts(pool: asyncpg.Pool) -> None:
    owner = _member(phone=_phone())
    feeds = FakeFeeds()
    event = _confirmed(feeds)
    for _ in range(2):  # a process, then its restart: the fake stream replays everything each time
        alerts = _alerts(pool, feeds, FakeTeam(owner))
        follow = asyncio.create_task(alerts.follow_booking())
        await asyncio.sleep(1.5)  # a pass, its pause, and a second pass over the same events
        follow.cancel()
        await alerts.flush()
    assert len(await _whatsapp(pool, owner.phone)) == 1
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT after_id FROM cursors WHERE stream = 'alerts:booking'") >= event.id


async def test_a_failure_after_the_messages_are_queued_sends_nothing_twice(pool: asyncpg.Pool) -> None:
    owner = _member(phone=_phone())
    feeds = FakeFeeds()

    def crash() -> None:
        raise RuntimeError("the process died after its commit")

    alerts = _alerts(pool, feeds, FakeTeam(owner))
    alerts.kicks = (crash,)
    await alerts.on_booking(_confirmed(feeds))
    with pytest.raises(RuntimeError):
        await alerts.flush()
    assert await _alerts(pool, feeds, FakeTeam(owner)).flush() == 0
    assert len(await _whatsapp(pool, owner.phone)) == 1


async def test_outside_their_window_the_alert_goes_as_the_template(pool: asyncpg.Pool) -> None:
    wrote_today, wrote_long_ago = _member(phone=_phone()), _member(phone=_phone())
    await _wrote(pool, wrote_today.phone, timedelta(hours=1))
    await _wrote(pool, wrote_long_ago.phone, timedelta(days=3))
    feeds = FakeFeeds()
    alerts = _alerts(pool, feeds, FakeTeam(wrote_today, wrote_long_ago))
    for _ in range(2):
        await alerts.on_booking(_confirmed(feeds))
    await alerts.flush()
    [text] = await _whatsapp(pool, wrote_today.phone)
    assert text["type"] == "text"
    [template] = await _whatsapp(pool, wrote_long_ago.phone)
    assert template["type"] == "template" and template["payload"]["template"]["name"] == "aviso_equipo"
    [parameter] = template["payload"]["template"]["components"][0]["parameters"]
    assert parameter["text"].startswith("Tenés 2 avisos: • Nueva reserva") and "\n" not in parameter["text"]


async def test_with_accounts_down_the_alerts_wait_and_go_to_whoever_wants_them_then(pool: asyncpg.Pool) -> None:
    owner = _member(phone=_phone(), whatsapp=frozenset())
    team, feeds = FakeTeam(owner), FakeFeeds()
    alerts = _alerts(pool, feeds, team)
    await alerts.on_booking(_confirmed(feeds))
    team.down = True
    with pytest.raises(DomainError):
        await alerts.flush()
    assert await _whatsapp(pool, owner.phone) == []
    team.down, team.people = False, [replace(owner, whatsapp=frozenset({"new_booking"}))]  # chose it meanwhile
    assert await alerts.flush() == 1
    assert len(await _whatsapp(pool, owner.phone)) == 1


async def test_a_guest_who_starts_waiting_alerts_the_team_once_per_wait(pool: asyncpg.Pool) -> None:
    owner, guest = await _writing(pool), _phone()
    alerts = _alerts(pool, FakeFeeds(), FakeTeam(owner))
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        since = await store.touch_conversation(conn, guest, "Ana Pérez", now, True)
        assert since is not None
        await inbox.alert_waiting(conn, guest, "Ana Pérez", "¿tienen cuna?", since)
        assert await store.touch_conversation(conn, guest, "Ana Pérez", now + timedelta(seconds=1), None) is None
        await store.replied(conn, guest)
        later = now + timedelta(minutes=1)
        again = await store.touch_conversation(conn, guest, "Ana Pérez", later, None, later)  # waits anew
        assert again is not None and again != since
    await alerts.flush()
    [message] = await _whatsapp(pool, owner.phone)
    assert message["text"] == (
        f"Ana Pérez (+{guest}) espera que le respondas: «¿tienen cuna?» → https://consola.example/mensajes"
    )


async def test_a_feed_failing_for_over_half_an_hour_alerts_once_per_failure(pool: asyncpg.Pool) -> None:
    owner = _member(phone=_phone())
    now = datetime.now(UTC)
    failing = FeedState(1, 7, "airbnb", True, now - timedelta(minutes=31), now - timedelta(days=9), "HTTP 500")
    recent = FeedState(2, 7, "booking", True, now - timedelta(minutes=10), now - timedelta(days=9), "timeout")
    calendars = FakeCalendars(failing, recent)
    alerts = _alerts(pool, FakeFeeds(), FakeTeam(owner), calendars)
    for _ in range(2):
        await alerts.watch_feeds_once()
    await alerts.flush()
    [message] = await _whatsapp(pool, owner.phone)
    assert "El calendario de Airbnb de Cabaña del Lago falla hace más de media hora (HTTP 500)" in message["text"]
    calendars.listed = [replace(failing, last_success_at=now - timedelta(hours=2))]  # worked, then failed again
    await alerts.watch_feeds_once()
    await alerts.flush()
    assert len(await _whatsapp(pool, owner.phone)) == 2


async def test_money_and_calendar_troubles_alert_once_each(pool: asyncpg.Pool) -> None:
    owner = await _writing(pool)
    feeds = FakeFeeds()
    r = _held()
    feeds.held[r.code] = r
    ids = iter(range(uuid.uuid4().int % 10**10, 10**11))
    bookings = [
        BookingEvent(next(ids), "reservation.paid_but_unavailable", "", r),
        BookingEvent(next(ids), "reservation.conflict", "", r, conflict_source="airbnb"),
        BookingEvent(next(ids), "reservation.cancelled", "", r, actor="user:3"),  # the team cancelled it: no alert
        BookingEvent(next(ids), "reservation.expired", "", r),
    ]
    payments = [
        PaymentEvent(next(ids), "payment.issue", "", r.code, issue="paid_but_unavailable", amount_minor=3_000_000),
        PaymentEvent(next(ids), "payment.issue", "", r.code, issue="duplicate_payment", amount_minor=3_000_000),
        PaymentEvent(next(ids), "refund.failed", "", r.code, refund_minor=1_500_000),
        PaymentEvent(next(ids), "payment.issue", "", r.code, issue="amount_mismatch"),
    ]
    alerts = _alerts(pool, feeds, FakeTeam(owner))
    for booking in bookings:
        await alerts.on_booking(booking)
    for payment in payments:
        await alerts.on_payment(payment)
    await alerts.flush()
    [message] = await _whatsapp(pool, owner.phone)
    lines = message["text"].split("\n")
    assert lines[0] == "Tenés 4 avisos:"
    assert "se pagó cuando esas fechas ya no estaban libres" in lines[1]
    assert "Conflicto de calendario: Airbnb bloquea Cabaña del Lago del 12 al 15 de enero" in lines[2]
    assert "se pagó dos veces: hay $30.000 de más para devolver." in lines[3]
    assert f"No se pudo devolver $15.000 de la reserva {r.code} (Ana Pérez)" in lines[4]
