"""Guest notifications from booking and payment events, each sent once.

Consumers follow booking's and payments' event streams (`ports.Feeds`) from a
cursor stored in `messaging.cursors`; every notification goes to the outbox
under the key `event:<stream>:<event id>`, so a replay after a restart sends
nothing twice. A loop reminds guests whose hold is about to expire. Outside
WhatsApp's 24-hour window (last message from the guest older than a day) free
text is refused by Meta (131047), so an approved template goes instead
(`WHATSAPP_TEMPLATE_*`).

Who gets them: the guests of WhatsApp reservations; the guests of web and
phone (admin) reservations only once their number has written to us on
WhatsApp or the reservation is confirmed or paid (a web form takes any number,
and messages nobody asked for get ours reported as spam); nobody else (a
channel's blocks have no guest), and no one who asked not to be written.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import asyncpg

from services.common.errors import DomainError
from services.common.settings import Settings
from services.common.telemetry import continued
from services.messaging import interactive as ui
from services.messaging import mailer, stay, store
from services.messaging import templates as t
from services.messaging.dialog import GUEST_ZONE
from services.messaging.inbox import window_open
from services.messaging.ports import CHAT_CANCEL_REASON, BookingEvent, Cabin, Feeds, Held, PaymentEvent

log = logging.getLogger(__name__)
REMIND_BEFORE = timedelta(minutes=10)
# Failures expected of a loop's pass: booking or payments not answering, Postgres down or its
# connection lost (InterfaceError), timeouts. The loops outlive any other failure too (logged with
# its traceback): a loop that died would stop every notification while health says SERVING.
INTERRUPTIONS = (DomainError, OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
RETRY_FIRST = 1.0  # seconds after a failed pass, doubling while passes fail
RETRY_MAX = 60.0
PAYMENT_TEXTS = {
    "payment.rejected": t.PAYMENT_REJECTED,
    "payment.pending": t.PAYMENT_PENDING,
    "payment.in_process": t.PAYMENT_PENDING,
    "payment.refunded": t.REFUNDED,
    # Failed for good: a person gives it back; the guest hears who will, not what went wrong.
    "refund.failed": t.REFUND_BY_OWNER,
    "refund.by_hand": t.REFUND_BY_HAND,
}
JOURNEY_EVENTS = frozenset({"reservation.confirmed", "reservation.cancelled", "reservation.dates_changed"})
# About money that came in: the reservation was paid, so a web guest's number is theirs.
PAID_EVENTS = frozenset({"payment.refunded", "refund.failed", "refund.by_hand"})
E = TypeVar("E", BookingEvent, PaymentEvent)


class Notifier:
    def __init__(
        self, pool: asyncpg.Pool, settings: Settings, feeds: Feeds, sandbox: bool, kick: Callable[[], None]
    ) -> None:
        self.pool, self.settings, self.feeds, self.sandbox, self.kick = pool, settings, feeds, sandbox, kick

    async def _cursor(self, stream: str) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT after_id FROM cursors WHERE stream = $1", stream) or 0)

    async def _advance(self, stream: str, after_id: int) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO cursors (stream, after_id) VALUES ($1, $2)"
                " ON CONFLICT (stream) DO UPDATE SET after_id = greatest(cursors.after_id, $2)",
                stream,
                after_id,
            )

    def _message(self, r: Held, text: str, template: str, inside_window: bool) -> ui.Outgoing:
        """The text itself inside the 24-hour window, the approved template outside it."""
        if inside_window:
            return ui.text(text)
        facts = stay.facts(r)
        parameters = [facts[k] for k in ("name", "code", "cabin", "check_in", "check_out")]
        return ui.template(template, self.settings.whatsapp_template_language, parameters, text)

    async def _reach(self, r: Held, paid: bool = False) -> bool | None:
        """None when nothing may go to the reservation's guest (see the module's docstring),
        else whether they wrote within the 24-hour window (free text may go). `paid`: it was
        paid even if no longer confirmed (cancelled, then refunded)."""
        if not r.phone or r.channel not in ("whatsapp", "web", "admin"):
            return None
        async with self.pool.acquire() as conn:
            conversation = await store.conversation(conn, r.phone)
        if conversation and conversation["opted_out_at"]:
            return None  # they asked not to be written
        last = conversation["last_inbound_at"] if conversation else None
        if r.channel != "whatsapp" and last is None and not (paid or r.status == "confirmed"):
            return None
        return window_open(last)

    async def _queue(self, r: Held, key: str, text: str, template: str, inside_window: bool) -> None:
        out = self._message(r, text, template, inside_window)
        async with self.pool.acquire() as conn:
            if await store.enqueue(conn, r.phone, out, "sandbox" if self.sandbox else "queued", key):
                self.kick()

    async def notify(self, r: Held, key: str, text: str, template: str, paid: bool = False) -> None:
        """Queue one message to the reservation's guest, once per key, when they may get one."""
        reach = await self._reach(r, paid)
        if reach is not None:
            await self._queue(r, key, text, template, reach)

    async def tell(
        self,
        r: Held,
        key: str,
        said: stay.Said,
        template: str,
        cabin: Cabin,
        sequence: int = 0,
        whatsapp: bool = True,
        paid: bool = False,
    ) -> None:
        """A message about the guest's stay, once per key: on WhatsApp as `notify` (unless
        `whatsapp` is False: they were answered in the chat), and by e-mail when the reservation
        has their address, except to a number that asked not to be written."""
        if whatsapp:
            await self.notify(r, key, said.text, template, paid)
        if not r.email:
            return
        async with self.pool.acquire() as conn:
            conversation = await store.conversation(conn, r.phone) if r.phone else None
            if conversation and conversation["opted_out_at"]:
                return
            email = stay.email(r, cabin, said, sequence)
            if await mailer.queue_email(conn, key, email, not self.settings.smtp_host):
                self.kick()

    async def forever(self, name: str, one_pass: Callable[[], Awaitable[None]], pause: float) -> None:
        """`one_pass` `pause` seconds apart, for good: a failed pass is logged and tried again
        after RETRY_FIRST seconds, twice that after another failure, up to RETRY_MAX."""
        retry = RETRY_FIRST
        while True:
            try:
                await one_pass()
            except INTERRUPTIONS as exc:
                log.warning("%s interrupted (%s), trying again: %s", name, type(exc).__name__, exc)
            except Exception:
                log.exception("%s failed, trying again", name)
            else:
                retry = RETRY_FIRST
                await asyncio.sleep(pause)
                continue
            await asyncio.sleep(retry)
            retry = min(2 * retry, RETRY_MAX)

    async def follow(
        self, stream: str, events: Callable[[int], AsyncIterator[E]], handle: Callable[[E], Awaitable[None]]
    ) -> None:
        async def one_pass() -> None:  # from the cursor to the stream's end (or its failure)
            async for event in events(await self._cursor(stream)):
                with continued(f"notify {event.type}", event.traceparent, link=True):
                    await handle(event)
                await self._advance(stream, event.id)

        await self.forever(f"{stream} events", one_pass, 1)

    async def _told(self, event: BookingEvent, r: Held) -> None:
        """The guest's journey on booking's events: confirmed (with the owner's note and the stay's
        .ics by e-mail), cancelled (by whom, what goes back), moved to other dates (the new
        dates and amounts). The event id is the .ics's SEQUENCE: later versions of the stay
        have larger ones, so the guest's calendar takes each change."""
        key, cabin = f"event:booking:{event.id}", stay.cabin_of(r, await self.feeds.cabin(r.cabin_id))
        template = self.settings.whatsapp_template_stay
        if event.type == "reservation.confirmed":
            said = stay.confirmed(r, cabin, t.CONFIRMED.format(**stay.facts(r)))
            await self.tell(r, key, said, self.settings.whatsapp_template_confirmed, cabin)
        elif event.type == "reservation.cancelled":
            said = stay.cancelled(r, event.actor == "guest", await self.feeds.balance(r.code))
            # Cancelled in the chat: the guest's answer there said it all.
            await self.tell(r, key, said, template, cabin, event.id, whatsapp=event.reason != CHAT_CANCEL_REASON)
        elif event.type == "reservation.dates_changed":
            said = stay.moved(r, event.previous_stay, await self.feeds.balance(r.code))
            await self.tell(r, key, said, template, cabin, event.id)

    async def follow_booking(self) -> None:
        s = self.settings

        async def handle(event: BookingEvent) -> None:
            r = event.reservation
            if r is None:
                return
            if event.type == "reservation.expired":
                text = t.EXPIRED.format(**stay.facts(r))
                await self.notify(r, f"event:booking:{event.id}", text, s.whatsapp_template_expired)
            elif event.type in JOURNEY_EVENTS:
                await self._told(event, r)

        await self.follow("booking", self.feeds.booking_events, handle)

    async def follow_payments(self) -> None:
        async def handle(event: PaymentEvent) -> None:
            text = t.REFUNDED_BY_HAND if event.settled else PAYMENT_TEXTS.get(event.type)
            if text is None or not event.reservation_code:
                return
            r = await self.feeds.reservation(event.reservation_code)
            if r is not None:
                key = f"event:payments:{event.id}"
                # This refund's amount; one made in Mercado Pago's panel has none: what went back in all.
                amount = t.money(event.refund_minor or event.refunded_minor, event.currency)
                said = text.format(amount=amount, **stay.facts(r))
                template = self.settings.whatsapp_template_payment
                if event.type not in PAID_EVENTS:
                    await self.notify(r, key, said, template)
                    return
                cabin = stay.cabin_of(r, await self.feeds.cabin(r.cabin_id))  # refunds: by e-mail too
                await self.tell(r, key, stay.refund_news(r, said), template, cabin, paid=True)

        await self.follow("payments", self.feeds.payment_events, handle)

    async def remind_due(self) -> None:
        """One pass: a reminder to each guest whose hold runs out within REMIND_BEFORE, once per hold."""
        soon = datetime.now(UTC) + REMIND_BEFORE
        for r in await self.feeds.holds():
            # Who may get one is asked first: no payment link is made for a guest who may not.
            if r.expires_at is None or r.expires_at > soon or (reach := await self._reach(r)) is None:
                continue
            url = await self.feeds.payment_link(r.code)
            until = r.expires_at.astimezone(GUEST_ZONE).strftime("%H:%M")
            text = t.REMINDER.format(until=until, url=url, **stay.facts(r))
            await self._queue(r, f"reminder:{r.code}", text, self.settings.whatsapp_template_reminder, reach)

    async def remind(self) -> None:
        """Once per hold, a reminder shortly before it expires."""
        await self.forever("reminders", self.remind_due, 30)
