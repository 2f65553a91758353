"""Each cabin's calendar as iCalendar, for Airbnb, Booking.com and friends to import."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from cabanas.v1 import calendar_pb2
from gateway.deps import ClientsDep
from gateway.routes import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/ical", tags=["ical"])


@router.get("/export/{accommodation_id}.ics", response_class=Response)
async def export(
    accommodation_id: int,
    clients: ClientsDep,
    token: Annotated[str, Query(max_length=128)] = "",
    exclude_source: Annotated[str, Query(max_length=20)] = "",
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """RFC 5545 calendar; 403 on a bad token. `exclude_source` leaves out the blocks
    imported from that channel, so its own reservations are not echoed back."""
    reply = await clients.calendar.ExportCalendar(
        calendar_pb2.ExportCalendarRequest(
            accommodation_id=accommodation_id, token=token, exclude_source=exclude_source
        )
    )
    headers = {
        "ETag": reply.etag,
        "Cache-Control": "private, max-age=300",
        "Last-Modified": reply.last_modified.ToDatetime().strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }
    if if_none_match == reply.etag:
        return Response(status_code=304, headers=headers)
    return Response(reply.ics.encode(), media_type="text/calendar; charset=utf-8", headers=headers)
