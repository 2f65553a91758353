"""Booking's `reservation.cancelled` events, turned into refunds.

The stream is followed from a cursor stored in `booking_cursor`, advanced after each event is
handled: at-least-once, and an event seen again asks for the refund `cancel:<code>` again,
which gives back nothing more (refunds.ask). What goes back of what can still go back, by
the canceller's choice: the reservation's policy as booked (days counted in the cabin's zone on
the day it was cancelled), all of it, an amount (at most that), nothing. A hold never paid gives
back nothing.
"""

import asyncio
import logging

import asyncpg

from services.common.db import Conn
from services.payments import balance, refunds
from services.payments.ports import BookingEvents, Cancelled

log = logging.getLogger(__name__)
RETRY_FIRST = 1.0  # seconds after a failed pass, doubling while passes fail
RETRY_MAX = 60.0


def to_refund(c: Cancelled, refundable_minor: int) -> int:
    """What the cancellation gives back of what can still go back."""
    match c.refund_mode:
        case "full":
            return refundable_minor
        case "amount":
            return min(c.refund_amount_minor or 0, refundable_minor)
        case "none":
            return 0
        case _:  # the policy; also what booking sent before cancellations chose
            return balance.quote(c.reservation, refundable_minor, c.cancelled_at).refund_minor


async def _cursor(conn: Conn) -> int:
    return int(await conn.fetchval("SELECT after_id FROM booking_cursor") or 0)


async def _advance(conn: Conn, after_id: int) -> None:
    await conn.execute(
        "INSERT INTO booking_cursor (after_id) VALUES ($1)"
        " ON CONFLICT (id) DO UPDATE SET after_id = greatest(booking_cursor.after_id, $1)",
        after_id,
    )


class Cancellations:
    def __init__(self, pool: asyncpg.Pool, events: BookingEvents, given_back: refunds.Refunds) -> None:
        self.pool = pool
        self.events = events
        self.refunds = given_back

    async def handle(self, c: Cancelled) -> None:
        """Ask for the cancellation's refund, once per reservation."""
        r = c.reservation
        ask = refunds.Ask(
            code=r.code,
            currency=r.currency,
            request=f"cancel:{r.code}",
            actor=c.actor,
            reason=c.reason,
            amount=lambda refundable: to_refund(c, refundable),
        )
        async with self.pool.acquire() as conn, conn.transaction():
            rows, new = await refunds.ask(conn, ask)
        if new and rows:
            log.info("cancellation of %s gives back %s", r.code, sum(row["amount_minor"] for row in rows))
            self.refunds.kick()

    async def follow_once(self) -> None:
        """From the cursor to the stream's end (or its failure)."""
        async with self.pool.acquire() as conn:
            after = await _cursor(conn)
        async for c in self.events.cancellations(after):
            await self.handle(c)
            async with self.pool.acquire() as conn:
                await _advance(conn, c.event_id)

    async def follow(self) -> None:
        """Follow booking's cancellations for good; a failed pass is tried again after a growing pause."""
        retry = RETRY_FIRST
        while True:
            try:
                await self.follow_once()
                retry = RETRY_FIRST
            except Exception:
                log.warning("following booking's cancellations failed, again in %.0f s", retry, exc_info=True)
                retry = min(2 * retry, RETRY_MAX)
            await asyncio.sleep(retry)
