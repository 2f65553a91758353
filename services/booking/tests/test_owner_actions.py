"""The owner's actions over gRPC: blocks, phone bookings, date changes, notes, the history and
the reservations search."""

from collections.abc import Iterator
from typing import Any

import asyncpg
import grpc
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.booking.tests.helpers import day, hold, make_cabin, reason, stay
from services.common.db import json_codecs
from services.common.grpc_clients import error_info
from tests.stack import Infra, Stack

OWNER = "admin:owner@example.com"


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


def _refused(call: Any, request: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as info:
        call(request, timeout=10)
    return info.value.code(), reason(info.value)


def _block(
    stub: booking_pb2_grpc.BookingServiceStub, cabin_id: int, start: int, end: int, why: str = "", actor: str = OWNER
) -> booking_pb2.Reservation:
    request = booking_pb2.CreateBlockRequest(
        accommodation_id=cabin_id, stay=stay(day(start), day(end)), reason=why, actor=actor
    )
    return stub.CreateBlock(request, timeout=10)


def _manual(cabin_id: int, start: int, end: int, **fields: Any) -> booking_pb2.CreateManualReservationRequest:
    values: dict[str, Any] = {
        "accommodation_id": cabin_id,
        "stay": stay(day(start), day(end)),
        "guests": 2,
        "guest": booking_pb2.Guest(name="José Pérez", phone="+5492944123456"),
        "actor": OWNER,
    }
    return booking_pb2.CreateManualReservationRequest(**(values | fields))


def _move(code: str, start: int, end: int, **fields: Any) -> booking_pb2.ChangeDatesRequest:
    return booking_pb2.ChangeDatesRequest(code=code, stay=stay(day(start), day(end)), actor=OWNER, **fields)


def _history(stub: booking_pb2_grpc.BookingServiceStub, code: str) -> list[booking_pb2.HistoryEntry]:
    reply = stub.GetReservation(booking_pb2.GetReservationRequest(code=code, include_history=True))
    return list(reply.history)


async def _events(infra: Infra, code: str) -> list[tuple[str, dict[str, Any]]]:
    conn = await asyncpg.connect(infra.postgres.url, server_settings={"search_path": "booking"})
    try:
        await json_codecs(conn)
        rows = await conn.fetch("SELECT type, payload FROM outbox WHERE payload->>'code' = $1 ORDER BY id", code)
    finally:
        await conn.close()
    return [(row["type"], row["payload"]) for row in rows]


# Blocks -------------------------------------------------------------------------


async def test_an_owner_block_closes_the_nights_until_removed(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    block = _block(booking, cabin.id, 40, 43, "  Pintamos la galería  ")
    assert (block.status, block.channel, block.external_source, block.block_reason, block.guests) == (
        common_pb2.RESERVATION_STATUS_BLOCKED,
        common_pb2.CHANNEL_ADMIN,
        "owner",
        "Pintamos la galería",
        0,
    )
    assert block.code.startswith("BLK") and block.external_uid
    with pytest.raises(grpc.RpcError) as taken:
        hold(booking, cabin.id, day(42), day(44))
    assert reason(taken.value) == "DATES_UNAVAILABLE"

    removed = booking.RemoveBlock(booking_pb2.RemoveBlockRequest(code=block.code, actor=OWNER))
    assert removed.status == common_pb2.RESERVATION_STATUS_CANCELLED
    hold(booking, cabin.id, day(42), day(44))  # free again
    again = booking.RemoveBlock(booking_pb2.RemoveBlockRequest(code=block.code, actor=OWNER))
    assert again.status == common_pb2.RESERVATION_STATUS_CANCELLED  # once removed, it stays so

    assert [(h.actor, h.action, h.text) for h in _history(booking, block.code)] == [
        (OWNER, "blocked", "Pintamos la galería"),
        (OWNER, "unblocked", ""),
    ]
    assert [t for t, _ in await _events(infra, block.code)] == ["block.created", "block.removed"]


def test_a_block_on_taken_nights_is_refused_with_their_range(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    hold(booking, cabin.id, day(40), day(42))
    with pytest.raises(grpc.RpcError) as refused:
        _block(booking, cabin.id, 41, 45)
    info = error_info(refused.value)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert info is not None and info.reason == "DATES_UNAVAILABLE"
    assert dict(info.metadata) == {"conflict_check_in": str(day(40)), "conflict_check_out": str(day(42))}


def test_bad_blocks_are_refused(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    create = booking.CreateBlock
    for request, expected in [
        (booking_pb2.CreateBlockRequest(accommodation_id=cabin.id, stay=stay(day(40), day(41))), "INVALID_ACTOR"),
        (
            booking_pb2.CreateBlockRequest(accommodation_id=cabin.id, stay=stay(day(41), day(40)), actor=OWNER),
            "INVALID_RANGE",
        ),
        (
            booking_pb2.CreateBlockRequest(accommodation_id=cabin.id, stay=stay(day(-3), day(2)), actor=OWNER),
            "DATES_IN_PAST",
        ),
        (
            booking_pb2.CreateBlockRequest(
                accommodation_id=cabin.id, stay=stay(day(40), day(41)), reason="x" * 201, actor=OWNER
            ),
            "INVALID_REASON",
        ),
    ]:
        assert _refused(create, request) == (grpc.StatusCode.INVALID_ARGUMENT, expected)
    missing = booking_pb2.CreateBlockRequest(accommodation_id=999_999_999, stay=stay(day(40), day(41)), actor=OWNER)
    assert _refused(create, missing) == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")


def test_only_the_owners_blocks_are_removed_by_hand_and_feeds_never_touch_them(
    booking: booking_pb2_grpc.BookingServiceStub,
) -> None:
    cabin = make_cabin(booking)
    own = _block(booking, cabin.id, 30, 32)

    def sync(source: str, blocks: list[booking_pb2.ExternalBlock]) -> booking_pb2.SyncExternalBlocksResponse:
        request = booking_pb2.SyncExternalBlocksRequest(
            accommodation_id=cabin.id, source=source, blocks=blocks, allow_empty=True
        )
        return booking.SyncExternalBlocks(request)

    sync("airbnb", [booking_pb2.ExternalBlock(uid="a@airbnb.com", range=stay(day(40), day(42)))])
    channel = booking.ListReservations(
        booking_pb2.ListReservationsRequest(accommodation_id=cabin.id, statuses=[common_pb2.RESERVATION_STATUS_BLOCKED])
    )
    airbnb = next(r.code for r in channel.reservations if r.external_source == "airbnb")
    remove = booking.RemoveBlock
    assert _refused(remove, booking_pb2.RemoveBlockRequest(code=airbnb, actor=OWNER)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CHANNEL_BLOCK",
    )
    direct = hold(booking, cabin.id, day(50), day(51)).reservation.code
    assert _refused(remove, booking_pb2.RemoveBlockRequest(code=direct, actor=OWNER))[1] == "NOT_A_BLOCK"

    with pytest.raises(grpc.RpcError) as owner_feed:
        sync("owner", [])
    assert reason(owner_feed.value) == "INVALID_SOURCE"
    assert sync("airbnb", []).removed == 1  # the feed's own block only
    still = booking.GetReservation(booking_pb2.GetReservationRequest(code=own.code)).reservation
    assert still.status == common_pb2.RESERVATION_STATUS_BLOCKED


# Phone bookings -----------------------------------------------------------------


async def test_a_phone_booking_is_confirmed_at_once_and_heard_as_a_confirmation(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking, min_nights=3, deposit_percent=30)
    booked = booking.CreateManualReservation(_manual(cabin.id, 40, 41, note=" Llega tarde, deja la llave "))
    assert (booked.status, booked.channel, booked.nights, booked.guest.name) == (
        common_pb2.RESERVATION_STATUS_CONFIRMED,
        common_pb2.CHANNEL_ADMIN,
        1,  # shorter than the cabin's minimum: the owner decides
        "José Pérez",
    )
    assert booked.HasField("confirmed_at") and not booked.HasField("expires_at")
    assert (booked.total.amount_minor, booked.deposit.amount_minor) == (50_000_00, 15_000_00)
    assert [(h.actor, h.action, h.text) for h in _history(booking, booked.code)] == [
        (OWNER, "created", ""),
        (OWNER, "confirmed", ""),
        (OWNER, "note", "Llega tarde, deja la llave"),
    ]
    assert [t for t, _ in await _events(infra, booked.code)] == ["reservation.confirmed"]
    with pytest.raises(grpc.RpcError) as taken:
        hold(booking, cabin.id, day(38), day(41))
    assert reason(taken.value) == "DATES_UNAVAILABLE"


def test_a_phone_booking_takes_the_agreed_price_and_its_key(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, deposit_percent=30)
    agreed = common_pb2.Money(amount_minor=123_456_78, currency="ARS")
    first = booking.CreateManualReservation(_manual(cabin.id, 40, 43, price_override=agreed, idempotency_key="k1"))
    assert (first.total.amount_minor, first.deposit.amount_minor, len(first.breakdown)) == (
        123_456_78,
        37_038_00,
        0,
    )  # 30 %, up to a whole peso
    again = booking.CreateManualReservation(_manual(cabin.id, 40, 43, price_override=agreed, idempotency_key="k1"))
    assert again.code == first.code
    other = _manual(cabin.id, 50, 53, idempotency_key="k1")
    assert _refused(booking.CreateManualReservation, other)[1] == "IDEMPOTENCY_KEY_REUSED"
    free = booking.CreateManualReservation(_manual(cabin.id, 60, 61, price_override=common_pb2.Money()))
    assert (free.total.amount_minor, free.deposit.amount_minor) == (0, 0)


def test_bad_phone_bookings_are_refused(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, capacity=2)
    create = booking.CreateManualReservation
    for request, expected in [
        (_manual(cabin.id, 40, 42, guests=3), "CAPACITY_EXCEEDED"),
        (_manual(cabin.id, 40, 42, guest=booking_pb2.Guest(name="  ")), "INVALID_GUEST_NAME"),
        (_manual(cabin.id, 40, 42, guest=booking_pb2.Guest(name="Ana", phone="2944123456")), "INVALID_PHONE"),
        (_manual(cabin.id, 40, 42, guest=booking_pb2.Guest(name="Ana", email="ana@")), "INVALID_EMAIL"),
        (_manual(cabin.id, 40, 42, actor=""), "INVALID_ACTOR"),
        (_manual(cabin.id, 40, 42, note="x" * 2001), "INVALID_NOTE"),
        (_manual(cabin.id, 40, 42, price_override=common_pb2.Money(amount_minor=-1)), "INVALID_TOTAL"),
    ]:
        assert _refused(create, request) == (grpc.StatusCode.INVALID_ARGUMENT, expected)
    no_phone = create(_manual(cabin.id, 40, 42, guest=booking_pb2.Guest(name="Ana")))
    assert no_phone.guest.phone == ""
    assert _refused(create, _manual(cabin.id, 41, 43)) == (grpc.StatusCode.FAILED_PRECONDITION, "DATES_UNAVAILABLE")


# Date changes -------------------------------------------------------------------


async def test_a_stay_moves_to_free_nights_and_frees_the_old_ones(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking, deposit_percent=30)
    booked = booking.CreateManualReservation(_manual(cabin.id, 40, 43))
    moved = booking.ChangeDates(_move(booked.code, 41, 45))  # overlaps its own old nights
    assert (moved.stay, moved.nights, moved.total.amount_minor, moved.deposit.amount_minor) == (
        stay(day(41), day(45)),
        4,
        200_000_00,
        60_000_00,
    )
    hold(booking, cabin.id, day(40), day(41))  # the night it left is free
    entry = _history(booking, booked.code)[-1]
    assert (entry.actor, entry.action, dict(entry.data)) == (
        OWNER,
        "dates_changed",
        {
            "from": f"{day(40)}/{day(43)}",
            "to": f"{day(41)}/{day(45)}",
            "total_before": "15000000",
            "total": "20000000",
            "price": "reprice",
        },
    )
    kinds, payload = zip(*await _events(infra, booked.code), strict=True)
    assert kinds == ("reservation.confirmed", "reservation.dates_changed")
    assert payload[1]["previous_stay"] == f"{day(40)}/{day(43)}" and payload[1]["check_in"] == str(day(41))


def test_a_move_keeps_or_overrides_the_total_and_a_hold_keeps_its_expiry(
    booking: booking_pb2_grpc.BookingServiceStub,
) -> None:
    cabin = make_cabin(booking, deposit_percent=50)
    held = hold(booking, cabin.id, day(40), day(42)).reservation
    kept = booking.ChangeDates(_move(held.code, 50, 53, price_policy=booking_pb2.PRICE_POLICY_KEEP))
    assert (kept.total, kept.deposit, kept.expires_at, kept.status) == (
        held.total,
        held.deposit,
        held.expires_at,
        common_pb2.RESERVATION_STATUS_PRE_RESERVED,
    )
    override = _move(
        held.code, 50, 52, price_policy=booking_pb2.PRICE_POLICY_OVERRIDE, total=common_pb2.Money(amount_minor=7_000_00)
    )
    priced = booking.ChangeDates(override)
    assert (priced.total.amount_minor, priced.deposit.amount_minor) == (7_000_00, 3_500_00)
    no_total = _move(held.code, 50, 52, price_policy=booking_pb2.PRICE_POLICY_OVERRIDE)
    assert _refused(booking.ChangeDates, no_total) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_TOTAL")


def test_a_move_onto_taken_nights_changes_nothing(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking, capacity=4)
    mine = booking.CreateManualReservation(_manual(cabin.id, 40, 42))
    _block(booking, cabin.id, 45, 47)
    assert _refused(booking.ChangeDates, _move(mine.code, 44, 46)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "DATES_UNAVAILABLE",
    )
    unchanged = booking.GetReservation(booking_pb2.GetReservationRequest(code=mine.code)).reservation
    assert unchanged.stay == stay(day(40), day(42))
    with pytest.raises(grpc.RpcError) as still_held:
        hold(booking, cabin.id, day(40), day(41))
    assert reason(still_held.value) == "DATES_UNAVAILABLE"

    cancelled = hold(booking, cabin.id, day(60), day(62)).reservation.code
    booking.CancelReservation(booking_pb2.CancelReservationRequest(code=cancelled, reason="no viene", actor=OWNER))
    assert _refused(booking.ChangeDates, _move(cancelled, 63, 65)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "INVALID_STATE",
    )
    assert _refused(booking.ChangeDates, _move("RESNOPE", 63, 65))[0] == grpc.StatusCode.NOT_FOUND


# Notes, history, search ---------------------------------------------------------


def test_notes_are_trimmed_and_bounded(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(40), day(41)).reservation.code
    entry = booking.AddNote(booking_pb2.AddNoteRequest(code=code, text="  Pidió cuna  ", actor=OWNER))
    assert (entry.actor, entry.action, entry.text) == (OWNER, "note", "Pidió cuna") and entry.HasField("at")
    add = booking.AddNote
    for text in ("   ", "x" * 2001):
        assert _refused(add, booking_pb2.AddNoteRequest(code=code, text=text, actor=OWNER))[1] == "INVALID_NOTE"
    assert _refused(add, booking_pb2.AddNoteRequest(code="RESNOPE", text="hola", actor=OWNER))[1] == "NOT_FOUND"


def test_the_history_says_who_did_what(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(40), day(41)).reservation.code
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=code, payment_reference="mp-1"))
    booking.CancelReservation(booking_pb2.CancelReservationRequest(code=code, reason="se enfermó", actor="user:7"))
    assert [(h.actor, h.action, h.text, dict(h.data)) for h in _history(booking, code)] == [
        ("guest", "created", "", {"channel": "web"}),
        ("payments", "confirmed", "", {"payment_reference": "mp-1"}),
        ("user:7", "cancelled", "se enfermó", {"refund_mode": "policy"}),
    ]
    forced = hold(booking, cabin.id, day(50), day(51)).reservation.code
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=forced, forced_by_admin=True, actor=OWNER))
    assert _history(booking, forced)[-1].actor == OWNER
    plain = booking.GetReservation(booking_pb2.GetReservationRequest(code=code))
    assert list(plain.history) == []  # only when asked


def test_the_search_finds_code_name_and_phone_whatever_the_accents(
    booking: booking_pb2_grpc.BookingServiceStub,
) -> None:
    cabin = make_cabin(booking)
    guest = booking_pb2.Guest(name="Ñandú Pérez", phone="+5492944777888")
    code = booking.CreateManualReservation(_manual(cabin.id, 40, 42, guest=guest)).code
    hold(booking, cabin.id, day(50), day(51))  # another guest's

    def found(search: str) -> list[str]:
        request = booking_pb2.ListReservationsRequest(accommodation_id=cabin.id, search=search)
        return [r.code for r in booking.ListReservations(request).reservations]

    for search in ("nandu", "NANDU PEREZ", "ÑANDÚ pé", "2944777", code.lower(), f"  {code}  "):
        assert found(search) == [code], search
    assert found("nadie") == []
    assert len(found("")) == 2
    too_long = booking_pb2.ListReservationsRequest(search="x" * 101)
    assert _refused(booking.ListReservations, too_long) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_SEARCH")
