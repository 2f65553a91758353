"""What several pages ask the services the same way: every cabin, every reservation of a query, users' names."""

from __future__ import annotations  # the stubs' AsyncStub classes exist for the type checker only

import asyncio

import grpc

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc, booking_pb2, booking_pb2_grpc, common_pb2

PAGE_SIZE = 100  # the services' cap
MAX_PAGES = 20  # a bound on one page view: 2000 reservations around one day is not a cabin business


async def every_cabin(
    booking: booking_pb2_grpc.BookingServiceAsyncStub, include_inactive: bool = True
) -> list[booking_pb2.Accommodation]:
    """Every cabin (inactive ones too unless told), by name, page after page."""
    found: list[booking_pb2.Accommodation] = []
    token = ""
    for _ in range(MAX_PAGES):
        page = common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=token)
        reply = await booking.ListAccommodations(
            booking_pb2.ListAccommodationsRequest(include_inactive=include_inactive, page=page)
        )
        found.extend(reply.accommodations)
        token = reply.page.next_page_token
        if not token:
            break
    return found


async def every_reservation(
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


async def user_names(accounts: accounts_pb2_grpc.AccountsServiceAsyncStub, ids: set[int]) -> dict[int, str]:
    """The names of the console users `ids` (a user no longer found goes unnamed)."""

    async def name(user_id: int) -> tuple[int, str]:
        try:
            user = await accounts.GetUser(accounts_pb2.GetUserRequest(id=user_id))
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return user_id, ""
        return user_id, user.name or user.email

    return dict(await asyncio.gather(*(name(user_id) for user_id in sorted(ids))))
