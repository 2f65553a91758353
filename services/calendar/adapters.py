"""Booking as calendar sees it (`ports.Booking`), over gRPC: calendar's one module that calls another service."""

from datetime import date

import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.calendar import convert
from services.calendar.ical import Booked, Event
from services.calendar.ports import BlockSync, Cabin
from services.common.grpc_clients import downstream
from services.common.pb import range_pb

PAGE_SIZE = 100
SYNC_TIMEOUT = 30.0  # booking checks every block of the set against the cabin's reservations


class GrpcBooking:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.stub = booking_pb2_grpc.BookingServiceStub(channel)

    async def cabin(self, accommodation_id: int) -> Cabin:
        with downstream("booking"):
            reply = await self.stub.GetAccommodation(booking_pb2.GetAccommodationRequest(id=accommodation_id))
        return convert.cabin(reply)

    async def booked(self, accommodation_id: int, start: date, end: date) -> list[Booked]:
        request = booking_pb2.ListReservationsRequest(
            statuses=convert.HOLDING,
            accommodation_id=accommodation_id,
            overlapping=range_pb(start, end),
            page=common_pb2.PageRequest(page_size=PAGE_SIZE),
        )
        booked: list[Booked] = []
        while True:
            with downstream("booking"):
                page = await self.stub.ListReservations(request)
            booked += [convert.booked(r) for r in page.reservations]
            if not page.page.next_page_token:
                return booked
            request.page.page_token = page.page.next_page_token

    async def sync_blocks(self, accommodation_id: int, source: str, events: list[Event]) -> BlockSync:
        request = booking_pb2.SyncExternalBlocksRequest(
            accommodation_id=accommodation_id,
            source=source,
            blocks=[convert.external_block(e) for e in events],
            allow_empty=True,  # callers hand over a complete set: an empty one really is empty
        )
        with downstream("booking"):
            reply = await self.stub.SyncExternalBlocks(request, timeout=SYNC_TIMEOUT)
        return convert.block_sync(reply)
