"""External blocks (replace-set per feed) and the domain event stream."""

import asyncio
from collections.abc import Iterator

import asyncpg
import grpc
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.booking import store
from services.booking.tests.helpers import day, hold, make_cabin, reason, stay
from services.common.db import json_codecs
from tests.stack import Infra, Stack


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


def _sync(
    stub: booking_pb2_grpc.BookingServiceStub,
    cabin_id: int,
    blocks: list[tuple[str, int, int]],
    source: str = "airbnb",
    allow_empty: bool = False,
) -> booking_pb2.SyncExternalBlocksResponse:
    return stub.SyncExternalBlocks(
        booking_pb2.SyncExternalBlocksRequest(
            accommodation_id=cabin_id,
            source=source,
            blocks=[booking_pb2.ExternalBlock(uid=uid, range=stay(day(a), day(b))) for uid, a, b in blocks],
            allow_empty=allow_empty,
        )
    )


def test_blocks_create_move_remove(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    first = _sync(booking, cabin.id, [("a@airbnb.com", 40, 44), ("b@airbnb.com", 50, 52)])
    assert (first.created, first.updated, first.removed, first.unchanged) == (2, 0, 0, 0)
    with pytest.raises(grpc.RpcError) as info:
        hold(booking, cabin.id, day(41), day(42))
    assert reason(info.value) == "DATES_UNAVAILABLE"

    moved = _sync(booking, cabin.id, [("a@airbnb.com", 41, 45), ("b@airbnb.com", 50, 52)])
    assert (moved.created, moved.updated, moved.removed, moved.unchanged) == (0, 1, 0, 1)

    removed = _sync(booking, cabin.id, [("b@airbnb.com", 50, 52)])
    assert (removed.created, removed.updated, removed.removed, removed.unchanged) == (0, 0, 1, 1)
    hold(booking, cabin.id, day(41), day(45))  # free again

    other_source = _sync(booking, cabin.id, [("x@booking.com", 60, 61)], source="booking")
    assert other_source.created == 1
    assert _sync(booking, cabin.id, [("b@airbnb.com", 50, 52)]).unchanged == 1  # sources are separate sets


def test_empty_set_needs_the_explicit_flag(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    _sync(booking, cabin.id, [("a@airbnb.com", 40, 44)])
    with pytest.raises(grpc.RpcError) as info:
        _sync(booking, cabin.id, [])
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "EMPTY_SET")
    assert _sync(booking, cabin.id, [], allow_empty=True).removed == 1


def test_block_over_a_direct_booking_is_a_conflict(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    direct = hold(booking, cabin.id, day(40), day(44)).reservation.code
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=direct, payment_reference="mp"))
    result = _sync(booking, cabin.id, [("late@airbnb.com", 42, 46), ("fine@airbnb.com", 50, 51)])
    assert result.created == 1
    assert [(c.uid, c.reservation_code, c.source) for c in result.conflicts] == [("late@airbnb.com", direct, "airbnb")]
    still = booking.GetReservation(booking_pb2.GetReservationRequest(code=direct)).reservation
    assert still.status == common_pb2.RESERVATION_STATUS_CONFIRMED
    again = _sync(booking, cabin.id, [("late@airbnb.com", 42, 46), ("fine@airbnb.com", 50, 51)])
    assert len(again.conflicts) == 1 and again.unchanged == 1  # still reported, never applied


def _events(
    stub: booking_pb2_grpc.BookingServiceStub, after_id: int, follow: bool = False, limit: int = 0, timeout: float = 5
) -> list[booking_pb2.DomainEvent]:
    out = []
    call = stub.StreamEvents(booking_pb2.StreamEventsRequest(after_id=after_id, follow=follow), timeout=timeout)
    for event in call:
        out.append(event)
        if limit and len(out) == limit:
            call.cancel()  # type: ignore[no-untyped-call]  # grpc-stubs leaves RpcContext.cancel unannotated
            break
    return out


def test_stream_resumes_from_its_cursor_without_loss(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    start = max((e.id for e in _events(booking, 0)), default=0)
    cabin = make_cabin(booking)
    codes = [hold(booking, cabin.id, day(40 + 3 * i), day(42 + 3 * i)).reservation.code for i in range(3)]
    seen = _events(booking, start, follow=True, limit=2)  # a consumer reads two, then goes away
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=codes[0], payment_reference="mp"))
    booking.CancelReservation(booking_pb2.CancelReservationRequest(code=codes[1]))
    seen += _events(booking, seen[-1].id)  # ... and resumes from its cursor
    mine = [(e.type, e.reservation.code) for e in seen if e.reservation.accommodation_id == cabin.id]
    assert mine == [
        ("reservation.pre_reserved", codes[0]),
        ("reservation.pre_reserved", codes[1]),
        ("reservation.pre_reserved", codes[2]),
        ("reservation.confirmed", codes[0]),
        ("reservation.cancelled", codes[1]),
    ]
    ids = [e.id for e in seen]
    assert ids == sorted(set(ids))  # each id once, in order
    assert seen[3].reservation.status == common_pb2.RESERVATION_STATUS_CONFIRMED
    assert (seen[3].actor, seen[4].actor, seen[2].actor) == ("payments", "system", "")  # who confirmed, cancelled
    assert seen[0].reservation.accommodation_name == cabin.name


def test_follow_delivers_new_events_live(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    start = max((e.id for e in _events(booking, 0)), default=0)
    cabin = make_cabin(booking)
    call = booking.StreamEvents(booking_pb2.StreamEventsRequest(after_id=start, follow=True), timeout=10)
    code = hold(booking, cabin.id, day(40), day(41)).reservation.code
    event = next(e for e in call if e.reservation.code == code)
    call.cancel()  # type: ignore[no-untyped-call]  # grpc-stubs leaves RpcContext.cancel unannotated
    assert event.type == "reservation.pre_reserved"


def test_a_stream_of_one_type_yields_that_type_and_moves_past_the_rest(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    start = max((e.id for e in _events(booking, 0)), default=0)
    cabin = make_cabin(booking)
    wanted = booking_pb2.StreamEventsRequest(after_id=start, types=["reservation.cancelled"], follow=True)
    call = booking.StreamEvents(wanted, timeout=10)
    codes = [hold(booking, cabin.id, day(40 + 3 * i), day(42 + 3 * i)).reservation.code for i in range(3)]
    booking.CancelReservation(booking_pb2.CancelReservationRequest(code=codes[1]))
    first = next(iter(call))
    call.cancel()  # type: ignore[no-untyped-call]  # grpc-stubs leaves RpcContext.cancel unannotated
    assert (first.type, first.reservation.code, first.reservation.status) == (
        "reservation.cancelled",
        codes[1],
        common_pb2.RESERVATION_STATUS_CANCELLED,
    )

    async def read() -> list[asyncpg.Record]:
        conn = await _connect(infra)
        try:
            return await store.events_after(conn, start, 100, types=["reservation.cancelled"])
        finally:
            await conn.close()

    rows = asyncio.run(read())
    # Every event after the cursor comes back, so the feed's cursor passes the holds; only the wanted one whole.
    assert [r["event_id"] for r in rows] == sorted(e.id for e in _events(booking, start))
    assert [(r["event_type"], r["code"]) for r in rows if r["wanted"]] == [("reservation.cancelled", codes[1])]
    assert all(r["event_type"] is None and r["code"] is None for r in rows if not r["wanted"])


async def _connect(infra: Infra) -> asyncpg.Connection:
    conn = await asyncpg.connect(infra.postgres.url, server_settings={"search_path": "booking"})
    await json_codecs(conn)
    return conn


async def test_outbox_ids_follow_commit_order(booking: booking_pb2_grpc.BookingServiceStub, infra: Infra) -> None:
    """A writer that took an id and has not committed holds back later writers, so a
    reader can never see id N+1 and later have id N appear behind its cursor."""
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(40), day(41)).reservation.code
    first, second = [await _connect(infra) for _ in range(2)]
    try:
        rid = await first.fetchval("SELECT id FROM reservations WHERE code = $1", code)
        tx = first.transaction()
        await tx.start()
        await store.emit(first, "test.first", rid)
        later = asyncio.create_task(store.emit(second, "test.second", rid))
        await asyncio.sleep(0.3)
        assert not later.done()  # waits for the first writer to commit
        await tx.commit()
        await asyncio.wait_for(later, 5)
        types = await first.fetch("SELECT type FROM outbox WHERE type LIKE 'test.%' ORDER BY id")
        assert [r["type"] for r in types][-2:] == ["test.first", "test.second"]
    finally:
        await first.close()
        await second.close()
