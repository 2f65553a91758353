"""The team's alerts: what the owner and the staff are told, on WhatsApp or by e-mail, each once.

Where they come from: booking's and payments' event streams (cursors `alerts:booking` and
`alerts:payments` in `messaging.cursors`), a guest starting to wait for a person (written by the
worker in the transaction that makes them wait) and calendar's feeds, polled every minute. Each
is one row of `alerts`, unique by a key from its source ("alert:booking:<event id>", ...): a
replay, a restart or a second replica writes nothing more.

How they go: every ALERT_BATCH_SECONDS the pending alerts get their recipients, looked up in
accounts then (a role or a preference changed meanwhile counts; accounts down: they wait for the
next pass, nothing lost), and what one recipient has pending on one channel goes as one message
("Tenés 4 avisos:", never ten). The messages and the deliveries' rows are written in one
transaction: a restart before it commits sends nothing, after it nothing again. WhatsApp: free
text inside the recipient's 24-hour window (their own conversation with our number), else the
approved template WHATSAPP_TEMPLATE_ALERT with the summary as its parameter. E-mail when the
user asks for it, and instead of WhatsApp for a user without a phone. The development owner
(CONSOLE_OWNER_PHONE) gets every alert on WhatsApp.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from prometheus_client import Counter

from services.common.db import Conn
from services.common.settings import Settings
from services.messaging import interactive as ui
from services.messaging import mail, mailer, store
from services.messaging import templates as t
from services.messaging.inbox import window_open
from services.messaging.notify import Notifier
from services.messaging.ports import Balance, BookingEvent, Calendars, Feeds, Held, Member, PaymentEvent, Team

ALERTS_SENT = Counter("messaging_alerts", "The team's alerts delivered, by kind and channel", ["kind", "channel"])
FEED_FAILING_AFTER = timedelta(minutes=30)  # a feed failing longer than this is the owner's business
FEEDS_EVERY = 60.0  # seconds between looks at the feeds
MAX_PENDING = 500  # alerts delivered in one pass; more wait for the next
# Meta refuses template parameters with line breaks (and long ones): the summary is one line.
MAX_PARAMETER = 900
FLUSH_LOCK = "messaging:alerts"  # one replica delivers at a time
PAYMENT_COUNTED_WAITS = (0.1, 0.3, 0.6, 1.0, 2.0)  # seconds: a confirmation's payment, not yet counted
# A payment's issue (payment.issue) that the team hears about, as the alert's kind.
ISSUE_ALERTS = {
    "duplicate_payment": "duplicate_payment",
    "charged_back": "chargeback",
    "paid_but_unavailable": "paid_but_unavailable",
}
SOURCES = {"airbnb": "Airbnb", "booking": "Booking.com", "vrbo": "Vrbo"}


@dataclass(frozen=True)
class Alert:
    kind: str  # accounts' Alert names: "new_booking", "guest_waiting", ...
    key: str  # once per source event
    line: str
    link: str = ""  # a console path


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Recipient:
    channel: str  # "whatsapp" or "email"
    address: str  # the phone's digits or the e-mail


def recipients(kind: str, team: Iterable[Member], owner_phone: str) -> dict[Recipient, int]:
    """Who gets an alert of `kind`, by channel and address, with their user id (0: the development
    owner). One address once: the development owner is usually also a user with that phone."""
    found: dict[Recipient, int] = {}
    for m in team:
        if m.role == "viewer":
            continue  # alerts name guests' phones and money, which viewers never see
        if kind in m.whatsapp:
            found.setdefault(Recipient("whatsapp", m.phone) if m.phone else Recipient("email", m.email), m.id)
        if kind in m.email_alerts and m.email:
            found.setdefault(Recipient("email", m.email), m.id)
    if owner_phone:
        found.setdefault(Recipient("whatsapp", owner_phone), 0)
    return found


def line_of(alert: asyncpg.Record, console: str) -> str:
    """One alert as a line, with its console link."""
    line = " ".join(alert["lines"])
    return f"{line} → {console}{alert['link']}" if alert["link"] else line


def summary(lines: Sequence[str]) -> str:
    """One alert as it is; several under one heading, a line each."""
    if len(lines) == 1:
        return lines[0]
    return "\n".join([t.ALERTS_MANY.format(n=len(lines)), *(f"• {line}" for line in lines)])


class Alerts:
    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        feeds: Feeds,
        team: Team,
        calendars: Calendars,
        notifier: Notifier,
        kicks: Sequence[Callable[[], None]] = (),  # the WhatsApp sender's and the mailer's
    ) -> None:
        self.pool, self.settings, self.feeds, self.team, self.calendars = pool, settings, feeds, team, calendars
        self.notifier, self.kicks = notifier, kicks
        self.owner_phone = "".join(c for c in settings.console_owner_phone if c.isdigit())
        self.console = settings.console_base_url.rstrip("/")
        self._booking_alerts: dict[str, Callable[[BookingEvent, Held], Awaitable[Alert | None]]] = {
            "reservation.confirmed": self._new_booking,
            "reservation.conflict": self._conflict,
            "reservation.paid_but_unavailable": self._paid_but_unavailable,
            "reservation.cancelled": self._cancelled,
        }

    # Where alerts come from --------------------------------------------------------------

    async def _record(self, alert: Alert | None) -> None:
        if alert is not None:
            async with self.pool.acquire() as conn:
                await store.record_alert(conn, alert.kind, alert.key, [alert.line], alert.link)

    async def on_booking(self, event: BookingEvent) -> None:
        r = event.reservation
        build = self._booking_alerts.get(event.type)
        if r is not None and build is not None:
            await self._record(await build(event, r))

    async def _new_booking(self, event: BookingEvent, r: Held) -> Alert:
        balance = await self._paid(event, r.code)  # None when payments did not answer: said without it
        paid = ""
        if balance is not None and balance.paid_minor:
            paid = t.ALERT_PAID.format(amount=t.money(balance.paid_minor, balance.currency))
        line = t.ALERT_NEW_BOOKING.format(**_facts(r), paid=paid)
        return Alert("new_booking", f"alert:booking:{event.id}", line, f"/reservas/{r.code}")

    async def _paid(self, event: BookingEvent, code: str) -> Balance | None:
        """What was paid for a stay just confirmed. Payments commits the payment that confirmed it
        just after booking commits the confirmation: asked again, briefly, until it counts."""
        balance = await self.feeds.balance(code)
        for pause in PAYMENT_COUNTED_WAITS if event.actor == "payments" else ():
            if balance is not None and balance.paid_minor:
                break
            await asyncio.sleep(pause)
            balance = await self.feeds.balance(code)
        return balance

    async def _conflict(self, event: BookingEvent, r: Held) -> Alert:
        source = SOURCES.get(event.conflict_source, "Un canal")
        line = t.ALERT_ICAL_CONFLICT.format(**_facts(r), source=source)
        return Alert("ical_conflict", f"alert:booking:{event.id}", line, f"/reservas/{r.code}")

    async def _paid_but_unavailable(self, event: BookingEvent, r: Held) -> Alert:  # noqa: ARG002 - one shape for all
        return _unavailable(r)

    async def _cancelled(self, event: BookingEvent, r: Held) -> Alert | None:
        if event.actor != "guest":
            return None  # the team cancelled it: they know
        line = t.ALERT_GUEST_CANCELLED.format(**_facts(r))
        return Alert("guest_cancelled", f"alert:booking:{event.id}", line, f"/reservas/{r.code}")

    async def on_payment(self, event: PaymentEvent) -> None:
        kind = "refund_failed" if event.type == "refund.failed" else None
        if event.type == "payment.issue":
            kind = ISSUE_ALERTS.get(event.issue)
        if kind is None or not event.reservation_code:
            return
        r = await self.feeds.reservation(event.reservation_code)
        if r is None:
            return  # names no reservation of ours: payments' own alert rules see it
        if kind == "paid_but_unavailable":
            await self._record(_unavailable(r))  # booking's event says the same: one alert
            return
        amount = t.money(event.refund_minor if kind == "refund_failed" else event.amount_minor, event.currency)
        texts = {
            "duplicate_payment": t.ALERT_DUPLICATE_PAYMENT,
            "chargeback": t.ALERT_CHARGEBACK,
            "refund_failed": t.ALERT_REFUND_FAILED,
        }
        line = texts[kind].format(**_facts(r), amount=amount)
        await self._record(Alert(kind, f"alert:payments:{event.id}", line, f"/reservas/{r.code}"))

    async def watch_feeds_once(self) -> None:
        """One look at the feeds: an alert per feed failing for over FEED_FAILING_AFTER, once per
        failure episode (the key names its last success)."""
        now = datetime.now(UTC)
        for f in await self.calendars.feeds():
            since = f.last_success_at or f.created_at
            key = f"alert:feed:{f.id}:{f.last_success_at.isoformat() if f.last_success_at else 'never'}"
            if not f.failing or now - since <= FEED_FAILING_AFTER or await self._known(key):
                continue
            cabin = await self.feeds.cabin(f.cabin_id)
            source = SOURCES.get(f.source, "otro canal")
            line = t.ALERT_FEED_FAILING.format(
                source=source, cabin=cabin.name if cabin else f"la cabaña {f.cabin_id}", error=_cut(f.error, 120)
            )
            await self._record(Alert("feed_failing", key, line, "/canales"))

    async def _known(self, key: str) -> bool:
        async with self.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT EXISTS (SELECT FROM alerts WHERE key = $1)", key))

    # Delivering them ---------------------------------------------------------------------

    async def flush(self) -> int:
        """One pass: the pending alerts to their recipients, one message per recipient and channel;
        the number of messages queued. Accounts down: raises, and the alerts wait."""
        async with self.pool.acquire() as conn:
            if not await conn.fetchval("SELECT EXISTS (SELECT FROM alerts WHERE delivered_at IS NULL)"):
                return 0
        team = await self.team.members()
        delivered: list[tuple[str, str]] = []  # (kind, channel) of each delivery, counted once committed
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtext($1))", FLUSH_LOCK):
                return 0  # another replica is delivering them
            pending = await conn.fetch(
                "SELECT * FROM alerts WHERE delivered_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE", MAX_PENDING
            )
            batches: dict[Recipient, list[tuple[asyncpg.Record, int]]] = {}
            for alert in pending:
                for to, user_id in recipients(alert["kind"], team, self.owner_phone).items():
                    batches.setdefault(to, []).append((alert, user_id))
            for to, batch in batches.items():
                await self._deliver(conn, to, batch)
                delivered += [(alert["kind"], to.channel) for alert, _ in batch]
            await conn.execute(
                "UPDATE alerts SET delivered_at = now() WHERE id = ANY($1::bigint[])", [a["id"] for a in pending]
            )
        for kind, channel in delivered:
            ALERTS_SENT.labels(kind, channel).inc()
        for kick in self.kicks if batches else ():
            kick()
        return len(batches)

    async def _deliver(self, conn: Conn, to: Recipient, batch: list[tuple[asyncpg.Record, int]]) -> None:
        """Queue one message with the batch's alerts to `to`, and record who got which in it."""
        alerts = [alert for alert, _ in batch]
        key = f"alerts:{to.channel}:{to.address}:{alerts[0]['id']}-{alerts[-1]['id']}"
        lines = [line_of(a, self.console) for a in alerts]
        if to.channel == "whatsapp":
            await self._whatsapp(conn, to.address, key, lines)
        else:
            one = len(alerts) == 1
            subject = t.ALERT_SUBJECTS[alerts[0]["kind"]] if one else t.ALERTS_MANY.format(n=len(alerts)).rstrip(":")
            link = f"{self.console}{alerts[0]['link'] if one and alerts[0]['link'] else '/hoy'}"
            email = mail.alert_email(to.address, subject, lines, link)
            await mailer.queue_email(conn, key, email, sandbox=not self.settings.smtp_host)
        await conn.executemany(
            "INSERT INTO alert_deliveries (alert_id, channel, address, user_id, message_key)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [(alert["id"], to.channel, to.address, user_id, key) for alert, user_id in batch],
        )

    async def _whatsapp(self, conn: Conn, phone: str, key: str, lines: list[str]) -> None:
        """Free text inside the recipient's 24-hour window, the approved template outside it."""
        text = summary(lines)
        conversation = await store.conversation(conn, phone)
        if window_open(conversation["last_inbound_at"] if conversation else None):
            out = ui.text(text)
        else:
            s = self.settings
            one_line = _cut(text.replace("\n", " "), MAX_PARAMETER)
            out = ui.template(s.whatsapp_template_alert, s.whatsapp_template_language, [one_line], text)
        status = "sandbox" if self.notifier.sandbox else "queued"
        await store.enqueue(conn, phone, out, status, key)

    # The loops -------------------------------------------------------------------------------

    async def follow_booking(self) -> None:
        await self.notifier.follow("alerts:booking", self.feeds.booking_events, self.on_booking)

    async def follow_payments(self) -> None:
        await self.notifier.follow("alerts:payments", self.feeds.payment_events, self.on_payment)

    async def watch_feeds(self) -> None:
        await self.notifier.forever("feed alerts", self.watch_feeds_once, FEEDS_EVERY)

    async def deliver(self) -> None:
        """Every ALERT_BATCH_SECONDS, what is pending goes out."""

        async def one_pass() -> None:
            await self.flush()

        await self.notifier.forever("alerts", one_pass, self.settings.alert_batch_seconds)


def _facts(r: Held) -> dict[str, str]:
    return {"code": r.code, "cabin": r.cabin, "stay": t.stay(r.check_in, r.check_out), "guest": r.guest_name}


def _unavailable(r: Held) -> Alert:
    """Booking's event and the payment's issue say the same: one alert per reservation."""
    line = t.ALERT_PAID_BUT_UNAVAILABLE.format(**_facts(r))
    return Alert("paid_but_unavailable", f"alert:paid_but_unavailable:{r.code}", line, f"/reservas/{r.code}")
