"""gRPC adapter of the booking service: convert the request, call the domain, convert the answer."""

from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.booking import blocks, cabins, convert, holds, owner, store
from services.booking.app import BookingApp, build
from services.common import paging
from services.common.grpc_server import Bound, Context, Service


class BookingServicer(Bound[BookingApp], booking_pb2_grpc.BookingServiceServicer):
    # Accommodations -------------------------------------------------------------

    async def CreateAccommodation(
        self, request: booking_pb2.CreateAccommodationRequest, context: Context
    ) -> booking_pb2.Accommodation:
        fields = convert.accommodation_fields(request.accommodation, [])
        return convert.accommodation_pb(await cabins.create(self.app.db, fields))

    async def UpdateAccommodation(
        self, request: booking_pb2.UpdateAccommodationRequest, context: Context
    ) -> booking_pb2.Accommodation:
        fields = convert.accommodation_fields(request.accommodation, list(request.update_mask.paths))
        return convert.accommodation_pb(await cabins.update(self.app.db, request.id, fields))

    async def GetAccommodation(
        self, request: booking_pb2.GetAccommodationRequest, context: Context
    ) -> booking_pb2.Accommodation:
        return convert.accommodation_pb(await cabins.find(self.app.db, id=request.id, slug=request.slug))

    async def ListAccommodations(
        self, request: booking_pb2.ListAccommodationsRequest, context: Context
    ) -> booking_pb2.ListAccommodationsResponse:
        limit, offset = paging.bounds(request.page)
        rows, total = await cabins.listing(
            self.app.db, include_inactive=request.include_inactive, limit=limit, offset=offset
        )
        return convert.accommodations_pb(rows, paging.response(limit, offset, len(rows), total))

    # Availability and prices ----------------------------------------------------

    async def CheckAvailability(
        self, request: booking_pb2.CheckAvailabilityRequest, context: Context
    ) -> booking_pb2.CheckAvailabilityResponse:
        check_in, check_out = convert.to_range(request.stay, "stay")
        window = convert.optional_range(request, "busy_window")
        found = await holds.availability(
            self.app.db, check_in, check_out, request.guests, request.accommodation_id, window
        )
        return convert.availability_pb(found)

    async def Quote(self, request: booking_pb2.QuoteRequest, context: Context) -> booking_pb2.StayQuote:
        check_in, check_out = convert.to_range(request.stay, "stay")
        quote = await holds.price(self.app.db, request.accommodation_id, check_in, check_out, request.guests)
        return convert.quote_pb(request.accommodation_id, quote)

    # Reservations ---------------------------------------------------------------

    async def PreReserve(
        self, request: booking_pb2.PreReserveRequest, context: Context
    ) -> booking_pb2.PreReserveResponse:
        app = self.app
        held = await holds.pre_reserve(
            app.db, app.locks, app.cabins, convert.hold_request(request), app.hold_ttl, app.hold_caps
        )
        return convert.pre_reserve_pb(*held)

    async def ConfirmReservation(
        self, request: booking_pb2.ConfirmReservationRequest, context: Context
    ) -> booking_pb2.ConfirmReservationResponse:
        confirmed = await holds.confirm(
            self.app.db, request.code, request.payment_reference, by_admin=request.forced_by_admin, actor=request.actor
        )
        return convert.confirm_pb(*confirmed)

    async def CancelReservation(
        self, request: booking_pb2.CancelReservationRequest, context: Context
    ) -> booking_pb2.Reservation:
        refund = convert.refund(request)
        row = await holds.cancel(self.app.db, request.code, request.reason, request.actor, refund)
        return convert.reservation_pb(row)

    async def GetReservation(
        self, request: booking_pb2.GetReservationRequest, context: Context
    ) -> booking_pb2.GetReservationResponse:
        row = await holds.reservation(self.app.db, request.code)
        history = await owner.history(self.app.db, row["id"]) if request.include_history else []
        return convert.get_reservation_pb(row, holds.token_matches(row, request.manage_token), history)

    async def ListReservations(
        self, request: booking_pb2.ListReservationsRequest, context: Context
    ) -> booking_pb2.ListReservationsResponse:
        limit, offset = paging.bounds(request.page)
        rows, total = await holds.reservations(
            self.app.db,
            statuses=convert.statuses(request.statuses),
            accommodation_id=request.accommodation_id,
            overlapping=convert.optional_range(request, "overlapping"),
            guest_phone=request.guest_phone,
            search=request.search,
            limit=limit,
            offset=offset,
        )
        return convert.reservations_pb(rows, paging.response(limit, offset, len(rows), total))

    async def ExpireDue(self, request: booking_pb2.ExpireDueRequest, context: Context) -> booking_pb2.ExpireDueResponse:
        return convert.expired_pb(await holds.expire_due(self.app.db, min(request.limit or 100, 1000)))

    async def SyncExternalBlocks(
        self, request: booking_pb2.SyncExternalBlocksRequest, context: Context
    ) -> booking_pb2.SyncExternalBlocksResponse:
        app, wanted = self.app, convert.external_blocks(request)
        result = await blocks.sync(
            app.db, app.locks, request.accommodation_id, request.source, wanted, request.allow_empty
        )
        return convert.sync_pb(result)

    # The owner's actions ---------------------------------------------------------

    async def CreateBlock(self, request: booking_pb2.CreateBlockRequest, context: Context) -> booking_pb2.Reservation:
        check_in, check_out = convert.to_range(request.stay, "stay")
        row = await owner.block(
            self.app.db, self.app.locks, request.accommodation_id, check_in, check_out, request.reason, request.actor
        )
        return convert.reservation_pb(row)

    async def RemoveBlock(self, request: booking_pb2.RemoveBlockRequest, context: Context) -> booking_pb2.Reservation:
        return convert.reservation_pb(await owner.unblock(self.app.db, request.code, request.actor))

    async def CreateManualReservation(
        self, request: booking_pb2.CreateManualReservationRequest, context: Context
    ) -> booking_pb2.Reservation:
        row = await owner.book(self.app.db, self.app.locks, convert.manual_booking(request))
        return convert.reservation_pb(row)

    async def ChangeDates(self, request: booking_pb2.ChangeDatesRequest, context: Context) -> booking_pb2.Reservation:
        check_in, check_out = convert.to_range(request.stay, "stay")
        policy, total = convert.price_policy(request)
        row = await owner.change_dates(
            self.app.db, self.app.locks, request.code, check_in, check_out, policy, total, request.actor
        )
        return convert.reservation_pb(row)

    async def AddNote(self, request: booking_pb2.AddNoteRequest, context: Context) -> booking_pb2.HistoryEntry:
        return convert.history_entry_pb(await owner.add_note(self.app.db, request.code, request.text, request.actor))

    async def StreamEvents(
        self, request: booking_pb2.StreamEventsRequest, context: Context
    ) -> AsyncIterator[booking_pb2.DomainEvent]:
        fetch = partial(store.events_after, types=list(request.types))
        async for row in self.app.feed.stream(self.app.db, fetch, request.after_id, request.follow):
            yield convert.event_pb(row)


SERVICE = Service(
    name="booking",
    descriptor=booking_pb2.DESCRIPTOR.services_by_name["BookingService"],
    servicer=BookingServicer,
    add_to_server=booking_pb2_grpc.add_BookingServiceServicer_to_server,
    build=build,
    schema="booking",
    migrations=Path(__file__).parent / "migrations",
    needs_redis=True,
    redis_optional=True,  # locks only spare the database; Postgres is the guarantee
)
