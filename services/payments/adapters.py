"""The booking port over booking's gRPC API: the one module of payments that calls another service."""

from collections.abc import AsyncIterator
from datetime import UTC

import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.common import pb
from services.common.cancellation import Rule
from services.common.grpc_clients import downstream
from services.payments.ports import Cancelled, Outcome, Reservation

STREAM_SECONDS = 3600  # a following event stream is reopened (from the cursor) every hour
_REFUND_MODES = pb.enum_names(booking_pb2.RefundMode, "REFUND_MODE_")  # "policy", "full", "amount", "none"
_OUTCOMES = {n: Outcome(name) for n, name in pb.enum_names(booking_pb2.ConfirmOutcome, "CONFIRM_OUTCOME_").items()}


def reservation(r: booking_pb2.Reservation) -> Reservation:
    return Reservation(
        code=r.code,
        status=pb.RESERVATION_STATUS_NAMES.get(r.status, "unspecified"),
        accommodation_name=r.accommodation_name,
        check_in=pb.day(r.stay.start),
        check_out=pb.day(r.stay.end),
        nights=r.nights,
        deposit_minor=r.deposit.amount_minor,
        currency=r.deposit.currency,
        expires_at=r.expires_at.ToDatetime(tzinfo=UTC),
        total_minor=r.total.amount_minor,
        rules=tuple(Rule(x.days_before, x.percent) for x in r.cancellation_rules),
        time_zone=r.time_zone,
        balance_on_arrival=r.balance_on_arrival,
        guest_email=r.guest.email,
    )


class GrpcBooking:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = booking_pb2_grpc.BookingServiceStub(channel)

    async def reservation(self, code: str) -> Reservation:
        with downstream("booking"):
            reply = await self.stub.GetReservation(booking_pb2.GetReservationRequest(code=code))
        return reservation(reply.reservation)

    async def confirm(self, code: str, payment_reference: str, actor: str) -> Outcome:
        with downstream("booking"):
            reply = await self.stub.ConfirmReservation(
                booking_pb2.ConfirmReservationRequest(code=code, payment_reference=payment_reference, actor=actor)
            )
        return _OUTCOMES[reply.outcome]


class GrpcBookingEvents:
    """ports.BookingEvents: booking's cancellations, with who cancelled and why from its history."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = booking_pb2_grpc.BookingServiceStub(channel)

    async def cancellations(self, after_id: int) -> AsyncIterator[Cancelled]:
        request = booking_pb2.StreamEventsRequest(after_id=after_id, types=["reservation.cancelled"], follow=True)
        with downstream("booking"):
            async for event in self.stub.StreamEvents(request, timeout=STREAM_SECONDS):
                yield await self._cancelled(event)

    async def _cancelled(self, event: booking_pb2.DomainEvent) -> Cancelled:
        r = event.reservation
        with downstream("booking"):
            found = await self.stub.GetReservation(booking_pb2.GetReservationRequest(code=r.code, include_history=True))
        cancelled = [h for h in found.history if h.action == "cancelled"]
        at = r.cancelled_at if r.HasField("cancelled_at") else event.occurred_at
        return Cancelled(
            event_id=event.id,
            reservation=reservation(found.reservation),
            cancelled_at=at.ToDatetime(tzinfo=UTC),
            refund_mode=_REFUND_MODES.get(r.refund_mode, "policy"),
            refund_amount_minor=r.refund_amount.amount_minor if r.HasField("refund_amount") else None,
            actor=cancelled[-1].actor if cancelled else "system",
            reason=cancelled[-1].text if cancelled else "",
        )
