"""The guest's journey in time: the balance's link, the check-in instructions, the check-out
reminder and the review request, each at a sensible hour in the cabin's time zone.

Planned from booking's events (its own cursor, stream `journey`): a confirmation plans the four
messages in the `journey` table, new dates re-plan them, a cancellation or an expiry cancels
what was not sent. A message whose moment passed while it still helps (booked two days before
arriving) is due at once; one that no longer helps is not planned.

The sender is safe with replicas and restarts: due rows are claimed `FOR UPDATE SKIP LOCKED`
with a lease, so two senders never take the same row; a sender that dies between the claim and
the send leaves the row to the next one once the lease runs out, and the message's dedupe key
(`journey:<kind>:<code>:<check_in>`, in the outbox and the e-mail outbox alike) makes a second
enqueue a no-op. At send time the reservation is read again: not confirmed any more, or not
those dates, and the message is skipped. A row waits, too, until the notifier has told the
event that planned it, so "confirmada" (or the new dates) comes before the instructions.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
from prometheus_client import Counter, Histogram

from services.common.errors import unavailable
from services.common.settings import Settings
from services.messaging import stay
from services.messaging.dialog import GUEST_ZONE
from services.messaging.notify import Notifier
from services.messaging.ports import BookingEvent, Cabin, Feeds, Held
from services.messaging.stay import Said

log = logging.getLogger(__name__)
STREAM = "journey"  # its cursor in `cursors`
NOTIFIER_STREAM = "booking"  # the notifier's cursor: a row waits until its event was told
LEASE = timedelta(minutes=2)  # a claimed row is that sender's for this long
BATCH = 20
PAUSE = 30.0  # seconds between passes when nothing wakes the sender
HELD_BACK_PAUSE = 0.5  # while a due row waits for the notifier to tell its event (no one wakes us then)
REVIEW_FOR = timedelta(days=7)  # after check-out, a review request still makes sense
# The local hour of each message.
HOURS = {"balance_due": time(10), "checkin": time(10), "checkout": time(19), "review": time(11)}
MESSAGES = Counter("messaging_journey_messages", "Journey messages by kind and outcome", ["kind", "outcome"])
LAG = Histogram(
    "messaging_journey_lag_seconds",
    "From when a journey message was due to when it was queued",
    ["kind"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600),
)
PLANNED_BY = frozenset({"reservation.confirmed", "reservation.dates_changed"})
CANCELLED_BY = frozenset({"reservation.cancelled", "reservation.expired"})


@dataclass(frozen=True)
class Due:
    kind: str
    at: datetime


def _zone(r: Held) -> ZoneInfo:
    return ZoneInfo(r.time_zone or GUEST_ZONE.key)


def plan(r: Held, settings: Settings, now: datetime) -> list[Due]:
    """When each message is due for the reservation's stay: (the day it goes, the day it stops
    making sense), at HOURS[kind] local time; due now when that moment passed but not the last day."""
    zone = _zone(r)
    days = {
        "balance_due": (r.check_in - timedelta(days=settings.balance_due_days_before), r.check_in + timedelta(days=1)),
        "checkin": (
            r.check_in - timedelta(days=settings.checkin_instructions_days_before),
            r.check_in + timedelta(days=1),
        ),
        "checkout": (r.check_out - timedelta(days=1), r.check_out),
        "review": (r.check_out + timedelta(days=1), r.check_out + REVIEW_FOR),
    }
    if r.balance_on_arrival:  # paid at the cabin: no link to send
        del days["balance_due"]
    planned = []
    for kind, (day, until) in days.items():
        if now < datetime.combine(until, time(0), zone):
            planned.append(Due(kind, max(datetime.combine(day, HOURS[kind], zone), now)))
    return planned


def dedupe_key(kind: str, code: str, check_in: date) -> str:
    """One message per kind and stay: a retry or a second sender queues nothing more; new dates are a new stay."""
    return f"journey:{kind}:{code}:{check_in.isoformat()}"


class Journey:
    """Plans (`follow`) and sends (`send`) the journey's messages; `now` is the clock (tests move it)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        feeds: Feeds,
        notifier: Notifier,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.pool, self.settings, self.feeds, self.notifier, self.now = pool, settings, feeds, notifier, now
        self._wake = asyncio.Event()

    # Planning ---------------------------------------------------------------

    async def on_event(self, event: BookingEvent) -> None:
        r = event.reservation
        if r is None:
            return
        if event.type in PLANNED_BY and r.status == "confirmed":
            await self._plan(event.id, r)
            self._wake.set()  # something may be due now
        elif event.type in CANCELLED_BY:
            async with self.pool.acquire() as conn:
                await conn.execute(
                    "UPDATE journey SET status = 'cancelled', outcome = $2, updated_at = now()"
                    " WHERE code = $1 AND status = 'planned'",
                    r.code,
                    event.type.removeprefix("reservation."),
                )

    async def _plan(self, event_id: int, r: Held) -> None:
        """Plan or re-plan the stay's messages: one not sent yet takes the new time; one sent or
        skipped for other dates is planned again for these (a replay of the same event changes
        nothing that went)."""
        planned = plan(r, self.settings, self.now())
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO journey (code, kind, due_at, check_in, check_out, planned_by)"
                " SELECT $1, kind, due_at, $4, $5, $6 FROM unnest($2::text[], $3::timestamptz[]) AS p (kind, due_at)"
                " ON CONFLICT (code, kind) DO UPDATE SET due_at = EXCLUDED.due_at, check_in = EXCLUDED.check_in,"
                " check_out = EXCLUDED.check_out, planned_by = EXCLUDED.planned_by, status = 'planned', outcome = '',"
                " claimed_until = NULL, attempts = 0, updated_at = now()"
                " WHERE journey.status = 'planned'"
                " OR (journey.check_in, journey.check_out) IS DISTINCT FROM (EXCLUDED.check_in, EXCLUDED.check_out)",
                r.code,
                [d.kind for d in planned],
                [d.at for d in planned],
                r.check_in,
                r.check_out,
                event_id,
            )

    async def follow(self) -> None:
        """Booking's events, for good, from the journey's own cursor."""
        await self.notifier.follow(STREAM, self.feeds.booking_events, self.on_event)

    # Sending ----------------------------------------------------------------

    async def claim(self) -> list[asyncpg.Record]:
        """Lease the rows due now whose planning event the notifier has told; rows another sender
        holds (locked, or leased) are skipped."""
        now = self.now()
        async with self.pool.acquire() as conn:
            return await conn.fetch(
                "UPDATE journey SET claimed_until = $2, attempts = attempts + 1, updated_at = now()"
                " WHERE id IN (SELECT id FROM journey WHERE status = 'planned' AND due_at <= $1"
                " AND (claimed_until IS NULL OR claimed_until <= $1)"
                " AND planned_by <= coalesce((SELECT after_id FROM cursors WHERE stream = $4), 0)"
                " ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *",
                now,
                now + LEASE,
                BATCH,
                NOTIFIER_STREAM,
            )

    async def send(self, row: asyncpg.Record) -> None:
        """Send one claimed row, or skip it, and record which (once: a row another sender finished
        stays as that one left it)."""
        r = await self.feeds.reservation(row["code"])
        if r is None or r.status != "confirmed":
            await self._record(row, "skipped", "not_confirmed")
            return
        if (r.check_in, r.check_out) != (row["check_in"], row["check_out"]):
            await self._record(row, "skipped", "dates_changed")  # re-planned by that event
            return
        if row["kind"] not in {d.kind for d in plan(r, self.settings, self.now())}:
            await self._record(row, "skipped", "too_late")  # the senders were down past its last day
            return
        cabin = stay.cabin_of(r, await self.feeds.cabin(r.cabin_id))
        said = await self._said(row["kind"], r, cabin)
        if isinstance(said, str):
            await self._record(row, "skipped", said)
            return
        key = dedupe_key(row["kind"], r.code, r.check_in)
        await self.notifier.tell(r, key, said, self.settings.whatsapp_template_stay, cabin)
        if await self._record(row, "sent", "sent"):
            LAG.labels(row["kind"]).observe(max((self.now() - row["due_at"]).total_seconds(), 0))

    async def _said(self, kind: str, r: Held, cabin: Cabin) -> Said | str:
        """The message, or why there is none."""
        if kind == "checkin":
            return stay.checkin(r, cabin)
        if kind == "checkout":
            return stay.checkout(r, cabin)
        if kind == "review":
            return stay.review(r, cabin) if cabin.words.review_url else "no_review_link"
        balance = await self.feeds.balance(r.code)
        if balance is None:  # the lease runs out and it is tried again
            raise unavailable("UNAVAILABLE", "payments did not answer the balance")
        if not (balance.due_minor and balance.payment_url):
            return "nothing_due"  # paid up, or collected at the cabin
        days = (r.check_in - self.now().astimezone(_zone(r)).date()).days
        return stay.balance_due(r, balance, days)

    async def _record(self, row: asyncpg.Record, status: str, outcome: str) -> bool:
        async with self.pool.acquire() as conn:
            done = await conn.fetchval(
                "UPDATE journey SET status = $2, outcome = $3, claimed_until = NULL, updated_at = now(),"
                " sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE id = $1 AND status = 'planned' RETURNING id",
                row["id"],
                status,
                outcome,
            )
        if done is not None:
            MESSAGES.labels(row["kind"], outcome).inc()
        return done is not None

    async def _held_back(self) -> bool:
        """Whether a row is due but its planning event not told yet by the notifier."""
        async with self.pool.acquire() as conn:
            return bool(
                await conn.fetchval(
                    "SELECT 1 FROM journey WHERE status = 'planned' AND due_at <= $1"
                    " AND planned_by > coalesce((SELECT after_id FROM cursors WHERE stream = $2), 0) LIMIT 1",
                    self.now(),
                    NOTIFIER_STREAM,
                )
            )

    async def send_due(self) -> None:
        """One pass: every row due now, claimed and sent a batch at a time."""
        while rows := await self.claim():
            for row in sorted(rows, key=lambda row: row["due_at"]):  # a guest's messages in their order
                await self.send(row)

    async def run(self) -> None:
        """Passes PAUSE seconds apart, sooner when a plan may have made something due."""

        async def one_pass() -> None:
            self._wake.clear()
            await self.send_due()
            pause = HELD_BACK_PAUSE if await self._held_back() else PAUSE
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)

        await self.notifier.forever("journey", one_pass, 0)
