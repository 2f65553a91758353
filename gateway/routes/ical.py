"""Each cabin's calendar as iCalendar, for Airbnb, Booking.com and friends to import."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from cabanas.v1 import calendar_pb2
from gateway import schemas
from gateway.deps import ClientsDep
from gateway.errors import error_response
from gateway.routes import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/ical", tags=["ical"], responses=schemas.errors(*schemas.UPSTREAM))
CALENDAR: schemas.Responses = {
    200: {"description": "The calendar (RFC 5545)", "content": {"text/calendar": {"schema": {"type": "string"}}}},
    304: {"description": "Not modified (If-None-Match)"},
}


@router.get("/export/{accommodation_id}.ics", response_class=Response, responses=CALENDAR | schemas.errors(403, 404))
async def export(
    accommodation_id: schemas.IdPath,
    clients: ClientsDep,
    token: Annotated[str, Query(max_length=128)] = "",
    exclude_source: Annotated[str, Query(max_length=20)] = "",
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """RFC 5545 calendar; 403 on a bad token. `exclude_source` leaves out the blocks
    imported from that channel, so its own reservations are not echoed back."""
    if not token.isascii():  # a hex digest never is, and the service cannot compare it: refused here
        return error_response(403, "invalid_token", "Invalid calendar token.")
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
