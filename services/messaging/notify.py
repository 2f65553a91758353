"""Guest notifications from booking and payment events, each sent once.

Consumers follow `BookingService.StreamEvents` and `PaymentsService.StreamEvents`
from a cursor stored in `messaging.cursors`; every notification goes to the
outbox under the key `event:<stream>:<event id>`, so a replay after a restart
sends nothing twice. A loop reminds guests whose hold is about to expire.
Outside WhatsApp's 24-hour window (last message from the guest older than a
day) free text is refused by Meta (131047), so an approved template goes
instead (`WHATSAPP_TEMPLATE_*`).
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2, payments_pb2, payments_pb2_grpc
from services.common import pb
from services.common.settings import Settings
from services.common.telemetry import continued
from services.messaging import interactive as ui
from services.messaging import store
from services.messaging import templates as t
from services.messaging.dialog import GUEST_ZONE

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=24)
REMIND_BEFORE = timedelta(minutes=10)
STREAM_SECONDS = 3600  # a following stream is reopened (from the cursor) every hour


def _facts(r: booking_pb2.Reservation) -> dict[str, str]:
    return {
        "name": (r.guest.name or "").split(" ")[0] or "hola", "code": r.code, "cabin": r.accommodation_name,
        "check_in": t.day(pb.day(r.stay.start)), "check_out": t.day(pb.day(r.stay.end)),
    }  # fmt: skip


class Notifier:
    def __init__(self, pool: asyncpg.Pool, settings: Settings, booking: booking_pb2_grpc.BookingServiceStub,
                 payments: payments_pb2_grpc.PaymentsServiceStub, sandbox: bool, kick: Callable[[], None]) -> None:  # fmt: skip
        self.pool, self.settings, self.booking, self.payments = pool, settings, booking, payments
        self.sandbox, self.kick = sandbox, kick

    async def _cursor(self, stream: str) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT after_id FROM cursors WHERE stream = $1", stream) or 0)

    async def _advance(self, stream: str, after_id: int) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO cursors (stream, after_id) VALUES ($1, $2)"
                " ON CONFLICT (stream) DO UPDATE SET after_id = greatest(cursors.after_id, $2)",
                stream, after_id,
            )  # fmt: skip

    async def notify(self, r: booking_pb2.Reservation, key: str, text: str, template: str) -> None:
        """Queue one message to the reservation's guest, once per key (WhatsApp guests only)."""
        if r.channel != common_pb2.CHANNEL_WHATSAPP or not r.guest.phone:
            return
        phone = r.guest.phone.lstrip("+")
        async with self.pool.acquire() as conn:
            conversation = await store.conversation(conn, phone)
            last = conversation["last_inbound_at"] if conversation else None
            inside = last is not None and datetime.now(UTC) - last < WINDOW
            facts = _facts(r)
            out = ui.text(text) if inside else ui.Outgoing(
                "template",
                {"type": "template", "template": {
                    "name": template, "language": {"code": self.settings.whatsapp_template_language},
                    "components": [{"type": "body", "parameters": [
                        {"type": "text", "text": facts[k]} for k in ("name", "code", "cabin", "check_in", "check_out")
                    ]}],
                }},
                f"[plantilla {template}] {text}",
            )  # fmt: skip
            if await store.enqueue(conn, phone, out, "sandbox" if self.sandbox else "queued", key):
                self.kick()

    async def _follow(
        self, stream: str, events: Callable[[int], AsyncIterator[Any]], handle: Callable[[Any], Any]
    ) -> None:
        while True:
            try:
                async for event in events(await self._cursor(stream)):
                    with continued(f"notify {event.type}", event.traceparent, link=True):
                        await handle(event)
                    await self._advance(stream, event.id)
            except (grpc.aio.AioRpcError, OSError, asyncpg.PostgresError) as exc:
                log.warning("%s events interrupted, resuming from the cursor: %s", stream, exc)
            await asyncio.sleep(1)

    async def follow_booking(self) -> None:
        def events(after: int) -> AsyncIterator[booking_pb2.DomainEvent]:
            return self.booking.StreamEvents(
                booking_pb2.StreamEventsRequest(after_id=after, follow=True), timeout=STREAM_SECONDS
            )

        async def handle(event: booking_pb2.DomainEvent) -> None:
            s, r = self.settings, event.reservation
            if event.type == "reservation.confirmed":
                await self.notify(
                    r, f"event:booking:{event.id}", t.CONFIRMED.format(**_facts(r)), s.whatsapp_template_confirmed
                )
            elif event.type == "reservation.expired":
                await self.notify(
                    r, f"event:booking:{event.id}", t.EXPIRED.format(**_facts(r)), s.whatsapp_template_expired
                )

        await self._follow("booking", events, handle)

    async def follow_payments(self) -> None:
        def events(after: int) -> AsyncIterator[payments_pb2.PaymentEvent]:
            return self.payments.StreamEvents(
                payments_pb2.StreamPaymentEventsRequest(after_id=after, follow=True), timeout=None
            )

        async def handle(event: payments_pb2.PaymentEvent) -> None:
            text = {"payment.rejected": t.PAYMENT_REJECTED, "payment.pending": t.PAYMENT_PENDING,
                    "payment.in_process": t.PAYMENT_PENDING}.get(event.type)  # fmt: skip
            if text is None or not event.payment.reservation_code:
                return
            try:
                found = await self.booking.GetReservation(
                    booking_pb2.GetReservationRequest(code=event.payment.reservation_code)
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND:
                    return
                raise
            r = found.reservation
            await self.notify(
                r, f"event:payments:{event.id}", text.format(**_facts(r)), self.settings.whatsapp_template_payment
            )

        await self._follow("payments", events, handle)

    async def remind(self) -> None:
        """Once per hold, a reminder shortly before it expires."""
        while True:
            try:
                reply = await self.booking.ListReservations(
                    booking_pb2.ListReservationsRequest(
                        statuses=[common_pb2.RESERVATION_STATUS_PRE_RESERVED], page={"page_size": 100}
                    )
                )
                soon = datetime.now(UTC) + REMIND_BEFORE
                for r in reply.reservations:
                    if r.HasField("expires_at") and r.expires_at.ToDatetime(tzinfo=UTC) <= soon:
                        link = await self.payments.CreatePaymentLink(
                            payments_pb2.CreatePaymentLinkRequest(reservation_code=r.code)
                        )
                        until = r.expires_at.ToDatetime(tzinfo=UTC).astimezone(GUEST_ZONE).strftime("%H:%M")
                        text = t.REMINDER.format(until=until, url=link.init_point, **_facts(r))
                        await self.notify(r, f"reminder:{r.code}", text, self.settings.whatsapp_template_reminder)
            except (grpc.aio.AioRpcError, OSError, asyncpg.PostgresError) as exc:
                log.warning("reminder pass failed: %s", exc)
            await asyncio.sleep(30)
