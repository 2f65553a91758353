"""The booking port over booking's gRPC API: the one module of payments that calls another service."""

from datetime import UTC

import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.common import pb
from services.common.grpc_clients import downstream
from services.payments.ports import Outcome, Reservation

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
