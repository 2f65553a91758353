"""gRPC adapter of the booking service: convert, call the domain, map errors."""

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.booking import blocks, convert, holds, store
from services.booking.errors import BookingError, Kind
from services.booking.locks import CabinLocks
from services.common import outbox, paging, pb
from services.common.grpc_server import Runtime, Service, abort_with_reason

log = logging.getLogger(__name__)

_CODES = {
    Kind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    Kind.CONFLICT: grpc.StatusCode.FAILED_PRECONDITION,
    Kind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
}
_OUTCOMES = {
    holds.Outcome.CONFIRMED: booking_pb2.CONFIRM_OUTCOME_CONFIRMED,
    holds.Outcome.ALREADY_CONFIRMED: booking_pb2.CONFIRM_OUTCOME_ALREADY_CONFIRMED,
    holds.Outcome.RETAKEN: booking_pb2.CONFIRM_OUTCOME_RETAKEN,
    holds.Outcome.PAID_BUT_UNAVAILABLE: booking_pb2.CONFIRM_OUTCOME_PAID_BUT_UNAVAILABLE,
}
EXPIRE_EVERY_SECONDS = 5.0

R = TypeVar("R")
Handler = Callable[[Any, Any, grpc.aio.ServicerContext], Awaitable[R]]


def maps_errors(method: Handler[R]) -> Handler[R]:
    """Domain and constraint errors become precise statuses with an ErrorInfo reason."""

    @functools.wraps(method)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> R:
        try:
            return await method(self, request, context)
        except BookingError as exc:
            await abort_with_reason(context, _CODES[exc.kind], exc.reason, exc.message, **exc.details)
        except paging.BadPageToken as exc:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE", str(exc))
        except asyncpg.UniqueViolationError as exc:
            await abort_with_reason(context, grpc.StatusCode.ALREADY_EXISTS, "ALREADY_EXISTS", exc.detail or str(exc))
        except (asyncpg.CheckViolationError, asyncpg.NotNullViolationError, asyncpg.DataError) as exc:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_VALUE", str(exc))
        raise AssertionError("abort always raises")

    return wrapper


class BookingServicer(booking_pb2_grpc.BookingServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.feed = outbox.Feed(runtime.settings.database_url, store.EVENTS_CHANNEL)

    @property
    def locks(self) -> CabinLocks:
        return CabinLocks(self.runtime.redis)

    # Accommodations -------------------------------------------------------------

    @maps_errors
    async def CreateAccommodation(self, request: Any, context: Any) -> booking_pb2.Accommodation:
        fields = convert.accommodation_fields(request.accommodation, [])
        fields.setdefault("slug", convert.slugify(fields.get("name", "")))
        for required in ("name", "capacity", "base_price_minor"):
            if not fields.get(required):
                raise BookingError(Kind.INVALID, "MISSING_FIELD", f"Falta {required}.")
        async with self.runtime.db.acquire() as conn:
            return convert.accommodation_pb(await store.insert_accommodation(conn, fields))

    @maps_errors
    async def UpdateAccommodation(self, request: Any, context: Any) -> booking_pb2.Accommodation:
        fields = convert.accommodation_fields(request.accommodation, list(request.update_mask.paths))
        async with self.runtime.db.acquire() as conn:
            row = await store.update_accommodation(conn, request.id, fields)
        if row is None:
            raise BookingError(Kind.NOT_FOUND, "NOT_FOUND", f"No existe la cabaña {request.id}.")
        return convert.accommodation_pb(row)

    @maps_errors
    async def GetAccommodation(self, request: Any, context: Any) -> booking_pb2.Accommodation:
        async with self.runtime.db.acquire() as conn:
            row = await store.get_accommodation(conn, id=request.id, slug=request.slug)
        if row is None:
            raise BookingError(Kind.NOT_FOUND, "NOT_FOUND", "No existe esa cabaña.")
        return convert.accommodation_pb(row)

    @maps_errors
    async def ListAccommodations(self, request: Any, context: Any) -> booking_pb2.ListAccommodationsResponse:
        limit, offset = paging.bounds(request.page)
        async with self.runtime.db.acquire() as conn:
            rows, total = await store.list_accommodations(
                conn, include_inactive=request.include_inactive, limit=limit, offset=offset
            )
        return booking_pb2.ListAccommodationsResponse(
            accommodations=[convert.accommodation_pb(r) for r in rows],
            page=paging.response(limit, offset, len(rows), total),
        )

    # Availability and prices ----------------------------------------------------

    @maps_errors
    async def CheckAvailability(self, request: Any, context: Any) -> booking_pb2.CheckAvailabilityResponse:
        check_in, check_out = convert.to_range(request.stay, "stay")
        window = convert.to_range(request.busy_window, "busy_window") if request.HasField("busy_window") else None
        found = await holds.availability(
            self.runtime.db, check_in, check_out, request.guests, request.accommodation_id, window
        )
        busy: dict[int, list[booking_pb2.BusyRange]] = {}
        for row in found.busy:
            busy.setdefault(row["accommodation_id"], []).append(
                booking_pb2.BusyRange(
                    range=pb.range_pb(row["check_in"], row["check_out"]), status=convert.STATUSES[row["status"]]
                )
            )
        return booking_pb2.CheckAvailabilityResponse(
            available=[
                booking_pb2.AvailableAccommodation(
                    accommodation=convert.accommodation_pb(acc), quote=convert.quote_pb(acc["id"], q)
                )
                for acc, q in found.available
            ],
            unavailable=[
                booking_pb2.UnavailableAccommodation(accommodation_id=i, reason=r) for i, r in found.unavailable
            ],
            busy=[booking_pb2.AccommodationBusy(accommodation_id=i, busy=b) for i, b in busy.items()],
        )

    @maps_errors
    async def Quote(self, request: Any, context: Any) -> booking_pb2.StayQuote:
        check_in, check_out = convert.to_range(request.stay, "stay")
        async with self.runtime.db.acquire() as conn:
            acc = await holds.cabin(conn, request.accommodation_id)
        return convert.quote_pb(acc["id"], holds.check_stay(acc, check_in, check_out, request.guests))

    # Reservations ---------------------------------------------------------------

    @maps_errors
    async def PreReserve(self, request: Any, context: Any) -> booking_pb2.PreReserveResponse:
        check_in, check_out = convert.to_range(request.stay, "stay")
        channel = convert.CHANNEL_NAMES.get(request.channel, "web")
        if channel == "ical":
            raise BookingError(Kind.INVALID, "INVALID_CHANNEL", "External blocks come through SyncExternalBlocks.")
        req = holds.HoldRequest(
            accommodation_id=request.accommodation_id,
            check_in=check_in,
            check_out=check_out,
            guests=request.guests,
            guest_name=request.guest.name,
            guest_phone=request.guest.phone,
            guest_email=request.guest.email,
            channel=channel,
            idempotency_key=request.idempotency_key,
        )
        ttl = timedelta(minutes=self.runtime.settings.pre_reservation_ttl_minutes)
        row, token, replayed = await holds.pre_reserve(self.runtime.db, self.locks, req, ttl)
        return booking_pb2.PreReserveResponse(
            reservation=convert.reservation_pb(row), manage_token=token, replayed=replayed
        )

    @maps_errors
    async def ConfirmReservation(self, request: Any, context: Any) -> booking_pb2.ConfirmReservationResponse:
        row, outcome = await holds.confirm(self.runtime.db, request.code, request.payment_reference)
        return booking_pb2.ConfirmReservationResponse(
            reservation=convert.reservation_pb(row), outcome=_OUTCOMES[outcome]
        )

    @maps_errors
    async def CancelReservation(self, request: Any, context: Any) -> booking_pb2.Reservation:
        return convert.reservation_pb(await holds.cancel(self.runtime.db, request.code, request.reason, request.actor))

    @maps_errors
    async def GetReservation(self, request: Any, context: Any) -> booking_pb2.GetReservationResponse:
        async with self.runtime.db.acquire() as conn:
            row = await store.get_reservation(conn, request.code)
        if row is None:
            raise BookingError(Kind.NOT_FOUND, "NOT_FOUND", f"No existe la reserva {request.code}.")
        return booking_pb2.GetReservationResponse(
            reservation=convert.reservation_pb(row), manage_token_valid=holds.token_matches(row, request.manage_token)
        )

    @maps_errors
    async def ListReservations(self, request: Any, context: Any) -> booking_pb2.ListReservationsResponse:
        limit, offset = paging.bounds(request.page)
        overlapping = convert.to_range(request.overlapping, "overlapping") if request.HasField("overlapping") else None
        async with self.runtime.db.acquire() as conn:
            rows, total = await store.list_reservations(
                conn,
                statuses=[convert.STATUS_NAMES[s] for s in request.statuses if s in convert.STATUS_NAMES],
                accommodation_id=request.accommodation_id,
                overlapping=overlapping,
                guest_phone=request.guest_phone,
                limit=limit,
                offset=offset,
            )
        return booking_pb2.ListReservationsResponse(
            reservations=[convert.reservation_pb(r) for r in rows],
            page=paging.response(limit, offset, len(rows), total),
        )

    @maps_errors
    async def ExpireDue(self, request: Any, context: Any) -> booking_pb2.ExpireDueResponse:
        codes = await holds.expire_due(self.runtime.db, min(request.limit or 100, 1000))
        return booking_pb2.ExpireDueResponse(expired_codes=codes)

    @maps_errors
    async def SyncExternalBlocks(self, request: Any, context: Any) -> booking_pb2.SyncExternalBlocksResponse:
        wanted = [
            blocks.Block(b.uid, *convert.to_range(b.range, f"block {b.uid}"), summary=b.summary[:200])
            for b in request.blocks
        ]
        result = await blocks.sync(
            self.runtime.db, self.locks, request.accommodation_id, request.source, wanted, request.allow_empty
        )
        return booking_pb2.SyncExternalBlocksResponse(
            created=result.created,
            updated=result.updated,
            removed=result.removed,
            unchanged=result.unchanged,
            conflicts=[pb.conflict_pb(c) for c in result.conflicts],
        )

    async def StreamEvents(self, request: Any, context: Any) -> AsyncIterator[booking_pb2.DomainEvent]:
        types = list(request.types)

        async def fetch(conn: asyncpg.Connection, after_id: int, limit: int) -> list[asyncpg.Record]:
            return await store.events_after(conn, after_id, types, limit)

        async for row in self.feed.stream(self.runtime.db, fetch, request.after_id, request.follow):
            yield booking_pb2.DomainEvent(
                id=row["event_id"],
                type=row["event_type"],
                occurred_at=pb.timestamp_pb(row["occurred_at"]),
                reservation=convert.reservation_pb(row),
                conflict=pb.conflict_pb(row["conflict"]) if row["conflict"] else None,
                traceparent=row["traceparent"],
            )


async def expire_loop(servicer: BookingServicer) -> None:
    """Expire run-out holds every few seconds (each replica may run it: SKIP LOCKED)."""
    while True:
        try:
            while len(await holds.expire_due(servicer.runtime.db)) == 100:
                pass
        except Exception:
            log.warning("expiry pass failed", exc_info=True)
        await asyncio.sleep(EXPIRE_EVERY_SECONDS)


SERVICE = Service(
    name="booking",
    descriptor=booking_pb2.DESCRIPTOR.services_by_name["BookingService"],
    servicer=BookingServicer,
    add_to_server=booking_pb2_grpc.add_BookingServiceServicer_to_server,
    schema="booking",
    migrations=Path(__file__).parent / "migrations",
    needs_redis=True,
    redis_optional=True,  # locks only spare the database; Postgres is the guarantee
    workers=(expire_loop,),
)
