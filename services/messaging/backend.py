"""The dialog's view of booking and payments, over gRPC."""

from datetime import UTC, date

import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2, payments_pb2, payments_pb2_grpc
from services.common import pb
from services.common.grpc_clients import error_info
from services.messaging.dialog import Cabin, Held, Offer, Refused

_STATUS = {
    common_pb2.RESERVATION_STATUS_PRE_RESERVED: "pre_reserved",
    common_pb2.RESERVATION_STATUS_CONFIRMED: "confirmed",
    common_pb2.RESERVATION_STATUS_CANCELLED: "cancelled",
    common_pb2.RESERVATION_STATUS_EXPIRED: "expired",
}


def _reason(exc: grpc.aio.AioRpcError) -> str:
    info = error_info(exc)
    return str(info.reason) if info else exc.code().name


def held(r: booking_pb2.Reservation) -> Held:
    return Held(
        code=r.code, cabin=r.accommodation_name, check_in=pb.day(r.stay.start), check_out=pb.day(r.stay.end),
        guests=r.guests, total_minor=r.total.amount_minor, deposit_minor=r.deposit.amount_minor,
        currency=r.total.currency, expires_at=r.expires_at.ToDatetime(tzinfo=UTC) if r.HasField("expires_at") else None,
        status=_STATUS.get(r.status, "other"),
    )  # fmt: skip


class GrpcBackend:
    def __init__(
        self, booking: booking_pb2_grpc.BookingServiceStub, payments: payments_pb2_grpc.PaymentsServiceStub
    ) -> None:
        self.booking = booking
        self.payments = payments

    async def cabins(self) -> list[Cabin]:
        reply = await self.booking.ListAccommodations(booking_pb2.ListAccommodationsRequest(page={"page_size": 100}))
        return [Cabin(a.id, a.slug, a.name, a.capacity, tuple(a.amenities)) for a in reply.accommodations]

    async def offers(self, check_in: date, check_out: date, guests: int) -> list[Offer]:
        try:
            reply = await self.booking.CheckAvailability(
                booking_pb2.CheckAvailabilityRequest(stay=pb.range_pb(check_in, check_out), guests=guests)
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
                raise Refused(_reason(exc), exc.details() or "") from exc
            raise
        return [
            Offer(Cabin(a.accommodation.id, a.accommodation.slug, a.accommodation.name, a.accommodation.capacity),
                  a.quote.total.amount_minor, a.quote.total.currency)
            for a in reply.available
        ]  # fmt: skip

    async def hold(
        self, cabin_id: int, check_in: date, check_out: date, guests: int, phone: str, name: str, key: str
    ) -> Held:
        try:
            reply = await self.booking.PreReserve(
                booking_pb2.PreReserveRequest(
                    accommodation_id=cabin_id, stay=pb.range_pb(check_in, check_out), guests=guests,
                    guest=booking_pb2.Guest(name=name or "Huésped", phone=f"+{phone.lstrip('+')}"),
                    channel=common_pb2.CHANNEL_WHATSAPP, idempotency_key=key,
                )
            )  # fmt: skip
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (
                grpc.StatusCode.INVALID_ARGUMENT,
                grpc.StatusCode.FAILED_PRECONDITION,
                grpc.StatusCode.NOT_FOUND,
            ):
                raise Refused(_reason(exc), exc.details() or "") from exc
            raise
        return held(reply.reservation)

    async def payment_link(self, code: str) -> str | None:
        try:
            link = await self.payments.CreatePaymentLink(
                payments_pb2.CreatePaymentLinkRequest(reservation_code=code), timeout=8
            )
        except grpc.aio.AioRpcError:
            return None  # the hold stands; the link can follow
        return link.init_point

    async def reservations(self, phone: str) -> list[Held]:
        reply = await self.booking.ListReservations(
            booking_pb2.ListReservationsRequest(guest_phone=f"+{phone.lstrip('+')}", page={"page_size": 20})
        )
        return [held(r) for r in reply.reservations]

    async def cancel(self, code: str) -> None:
        await self.booking.CancelReservation(
            booking_pb2.CancelReservationRequest(code=code, reason="pedido por WhatsApp", actor="guest")
        )
