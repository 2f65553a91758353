"""Public cabins: list, detail, availability with a price quote."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from cabanas.v1 import booking_pb2
from gateway import schemas, views
from gateway.deps import ClientsDep
from gateway.routes import API_PREFIX
from services.common import pb

router = APIRouter(
    prefix=f"{API_PREFIX}/accommodations", tags=["accommodations"], responses=schemas.errors(*schemas.UPSTREAM)
)
BUSY_WINDOW_DAYS = 90


@router.get("", response_model_exclude_none=True)
async def list_accommodations(clients: ClientsDep) -> list[schemas.AccommodationOut]:
    reply = await clients.booking.ListAccommodations(booking_pb2.ListAccommodationsRequest(page={"page_size": 100}))
    return [views.accommodation(a) for a in reply.accommodations]


@router.get("/{accommodation_id}", response_model_exclude_none=True, responses=schemas.errors(404))
async def get_accommodation(accommodation_id: schemas.IdPath, clients: ClientsDep) -> schemas.AccommodationOut:
    return views.accommodation(
        await clients.booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=accommodation_id))
    )


def _busy_window_end(check_in: date, check_out: date) -> date:
    """BUSY_WINDOW_DAYS from the check-in, or the check-out if later; the check-out when that would
    pass 9999-12-31 (booking refuses such a stay: 422 dates_too_far)."""
    try:
        return max(check_out, check_in + timedelta(days=BUSY_WINDOW_DAYS))
    except OverflowError:
        return check_out


@router.get("/{accommodation_id}/availability", responses=schemas.errors(404))
async def availability(
    accommodation_id: schemas.IdPath,
    check_in: date,
    check_out: date,
    clients: ClientsDep,
    guests: Annotated[int, Query(ge=1, le=50)] = 1,
) -> schemas.AvailabilityOut:
    reply = await clients.booking.CheckAvailability(
        booking_pb2.CheckAvailabilityRequest(
            stay=pb.range_pb(check_in, check_out),
            guests=guests,
            accommodation_id=accommodation_id,
            busy_window=pb.range_pb(check_in, _busy_window_end(check_in, check_out)),
        )
    )
    free = next((a for a in reply.available if a.accommodation.id == accommodation_id), None)
    reason = next((u.reason for u in reply.unavailable if u.accommodation_id == accommodation_id), None)
    busy = [
        schemas.BusyOut(
            check_in=pb.day(b.range.start),
            check_out=pb.day(b.range.end),
            status=pb.RESERVATION_STATUS_NAMES[b.status],
        )
        for entry in reply.busy
        for b in entry.busy
    ]
    return schemas.AvailabilityOut(
        available=free is not None,
        accommodation_id=accommodation_id,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        quote=views.quote(free.quote) if free else None,
        reason=None if free else (reason or "UNAVAILABLE").lower(),
        busy=busy,
    )
