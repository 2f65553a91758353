"""/hoy: today's arrivals, departures, stays in progress and holds about to run out."""

from __future__ import annotations  # the stubs' AsyncStub classes exist for the type checker only

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2, payments_pb2, payments_pb2_grpc
from console.render import page
from console.security import ViewerDep
from console.today import Stay, for_viewer, today_of
from services.common.pb import day, range_pb

router = APIRouter()
PAGE_SIZE = 100  # the services' cap
MAX_PAGES = 20  # a bound on one page view: 2000 reservations around one day is not a cabin business


async def _all(
    booking: booking_pb2_grpc.BookingServiceAsyncStub, query: booking_pb2.ListReservationsRequest
) -> list[booking_pb2.Reservation]:
    """Every reservation `query` matches, page after page."""
    found: list[booking_pb2.Reservation] = []
    token = ""
    for _ in range(MAX_PAGES):
        query.page.CopyFrom(common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=token))
        reply = await booking.ListReservations(query)
        found.extend(reply.reservations)
        token = reply.page.next_page_token
        if not token:
            break
    return found


def _stay(reservation: booking_pb2.Reservation) -> Stay:
    expires = reservation.expires_at.ToDatetime(tzinfo=UTC) if reservation.HasField("expires_at") else None
    return Stay(
        code=reservation.code,
        guest=reservation.guest.name,
        phone=reservation.guest.phone,
        cabin=reservation.accommodation_name,
        check_in=day(reservation.stay.start),
        check_out=day(reservation.stay.end),
        nights=reservation.nights,
        confirmed=reservation.status == common_pb2.RESERVATION_STATUS_CONFIRMED,
        total_minor=reservation.total.amount_minor,
        expires_at=expires,
    )


async def _paid(payments: payments_pb2_grpc.PaymentsServiceAsyncStub, stay: Stay) -> Stay:
    """`stay` with what its approved payments add up to (none on record: confirmed by hand)."""
    query = payments_pb2.ListPaymentsRequest(
        reservation_code=stay.code,
        statuses=[payments_pb2.PAYMENT_STATUS_APPROVED],
        page=common_pb2.PageRequest(page_size=PAGE_SIZE),
    )
    reply = await payments.ListPayments(query)
    amounts = [payment.amount.amount_minor for payment in reply.payments]
    return replace(stay, paid_minor=sum(amounts) if amounts else None)


@router.get("/hoy")
async def hoy(request: Request, viewer: ViewerDep) -> Response:
    clients = request.app.state.clients
    now = datetime.now(UTC)
    today = now.astimezone(request.app.state.zone).date()
    # Stays overlapping [yesterday, tomorrow) are those that start, go on or end today.
    around = booking_pb2.ListReservationsRequest(
        statuses=[common_pb2.RESERVATION_STATUS_CONFIRMED],
        overlapping=range_pb(today - timedelta(days=1), today + timedelta(days=1)),
    )
    holds = booking_pb2.ListReservationsRequest(statuses=[common_pb2.RESERVATION_STATUS_PRE_RESERVED])
    confirmed, held = await asyncio.gather(_all(clients.booking, around), _all(clients.booking, holds))
    stays = [_stay(reservation) for reservation in (*confirmed, *held)]
    if viewer.sees_private:
        paid = await asyncio.gather(*(_paid(clients.payments, stay) for stay in stays if stay.confirmed))
        stays = [*paid, *(stay for stay in stays if not stay.confirmed)]
    else:
        stays = [for_viewer(stay) for stay in stays]
    return page(request, "hoy.html", viewer=viewer, active="/hoy", today=today_of(stays, today, now))
