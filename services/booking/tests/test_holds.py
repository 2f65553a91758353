"""Booking over real gRPC against a real Postgres: holds, confirmation, cancellation, expiry."""

import asyncio
import json
import uuid
from collections.abc import Iterator

import asyncpg
import grpc
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.booking import holds
from services.booking.tests.helpers import day, hold, make_cabin, reason, stay
from tests.stack import Infra, Stack

CONFIRMED = common_pb2.RESERVATION_STATUS_CONFIRMED


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


async def _sql(infra: Infra, sql: str, *args: object) -> None:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute(sql, *args)
    finally:
        await conn.close()


async def _run_out(infra: Infra, code: str) -> None:
    """Make a hold's time run out."""
    await _sql(infra, "UPDATE booking.reservations SET expires_at = now() - interval '1 minute' WHERE code = $1", code)


def test_overlap_refused_with_the_conflicting_range(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    first = hold(booking, cabin.id, day(40), day(44))
    assert first.reservation.status == common_pb2.RESERVATION_STATUS_PRE_RESERVED
    assert first.reservation.nights == 4 and len(first.manage_token) >= 32
    with pytest.raises(grpc.RpcError) as info:
        hold(booking, cabin.id, day(42), day(43))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason(info.value) == "DATES_UNAVAILABLE"


def test_back_to_back_stays_both_succeed(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    hold(booking, cabin.id, day(40), day(44))
    hold(booking, cabin.id, day(44), day(46))
    hold(booking, cabin.id, day(38), day(40))


def test_cancel_frees_the_dates(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    first = hold(booking, cabin.id, day(40), day(44))
    cancelled = booking.CancelReservation(booking_pb2.CancelReservationRequest(code=first.reservation.code))
    assert cancelled.status == common_pb2.RESERVATION_STATUS_CANCELLED
    again = booking.CancelReservation(booking_pb2.CancelReservationRequest(code=first.reservation.code))
    assert again.status == common_pb2.RESERVATION_STATUS_CANCELLED  # idempotent
    hold(booking, cabin.id, day(41), day(43))


async def test_expired_hold_frees_the_dates(booking: booking_pb2_grpc.BookingServiceStub, infra: Infra) -> None:
    cabin = make_cabin(booking)
    first = hold(booking, cabin.id, day(40), day(44))
    await _run_out(infra, first.reservation.code)
    # Not swept yet: the new hold expires it on the way.
    hold(booking, cabin.id, day(41), day(43))
    old = booking.GetReservation(booking_pb2.GetReservationRequest(code=first.reservation.code)).reservation
    assert old.status == common_pb2.RESERVATION_STATUS_EXPIRED


async def test_a_hold_writes_its_event_and_the_expiry_of_what_was_in_its_way(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    """The run-out hold's expiry comes first in the outbox, once; the new hold's event carries the
    row as stored (with its cabin's name, without the token's hash) and its history entry."""
    cabin = make_cabin(booking)
    first = hold(booking, cabin.id, day(40), day(44))
    await _run_out(infra, first.reservation.code)
    second = hold(booking, cabin.id, day(42), day(46)).reservation
    conn = await asyncpg.connect(infra.postgres.url, server_settings={"search_path": "booking"})
    try:
        events = await conn.fetch(
            "SELECT type, payload::text FROM outbox WHERE payload->>'code' = ANY($1) ORDER BY id",
            [first.reservation.code, second.code],
        )
        entries = await conn.fetch(
            "SELECT h.actor, h.action, h.data::text FROM reservation_history h"
            " JOIN reservations r ON r.id = h.reservation_id WHERE r.code = $1 ORDER BY h.id",
            second.code,
        )
    finally:
        await conn.close()
    payloads = [json.loads(row["payload"]) for row in events]
    assert [(row["type"], p["code"], p["status"]) for row, p in zip(events, payloads, strict=True)] == [
        ("reservation.pre_reserved", first.reservation.code, "pre_reserved"),
        ("reservation.expired", first.reservation.code, "expired"),
        ("reservation.pre_reserved", second.code, "pre_reserved"),
    ]
    assert payloads[2]["accommodation_name"] == cabin.name and "manage_token_hash" not in payloads[2]
    assert (
        payloads[2]["check_in"] == day(42).isoformat() and payloads[2]["deposit_minor"] == second.deposit.amount_minor
    )
    assert [(e["actor"], e["action"], json.loads(e["data"])) for e in entries] == [
        ("guest", "created", {"channel": "web"})
    ]


async def test_expire_due_sweeps_run_out_holds(booking: booking_pb2_grpc.BookingServiceStub, infra: Infra) -> None:
    cabin = make_cabin(booking)
    kept = hold(booking, cabin.id, day(40), day(42))
    gone = hold(booking, cabin.id, day(50), day(52))
    await _run_out(infra, gone.reservation.code)
    expired = booking.ExpireDue(booking_pb2.ExpireDueRequest()).expired_codes
    get = booking.GetReservation
    assert gone.reservation.code in expired or (  # the service's own loop may have been first
        get(booking_pb2.GetReservationRequest(code=gone.reservation.code)).reservation.status
        == common_pb2.RESERVATION_STATUS_EXPIRED
    )
    assert kept.reservation.code not in expired


async def test_the_service_sweeps_run_out_holds_by_itself(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(40), day(42)).reservation.code
    await _run_out(infra, code)
    request = booking_pb2.GetReservationRequest(code=code)
    for _ in range(int(3 * holds.EXPIRE_EVERY_SECONDS / 0.2)):  # a few of the loop's passes
        status = booking.GetReservation(request).reservation.status
        if status == common_pb2.RESERVATION_STATUS_EXPIRED:
            break
        await asyncio.sleep(0.2)
    assert status == common_pb2.RESERVATION_STATUS_EXPIRED


async def test_a_cabin_changed_behind_the_service_is_priced_afresh(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    """Booking keeps the cabins it holds in, checked by the hold's own insert: a change made
    elsewhere (another replica, by hand) is never priced from the old copy."""
    cabin = make_cabin(booking)
    first = hold(booking, cabin.id, day(40), day(42)).reservation  # the cabin is kept from here
    await _sql(
        infra, "UPDATE booking.accommodations SET base_price_minor = base_price_minor * 2 WHERE id = $1", cabin.id
    )
    second = hold(booking, cabin.id, day(47), day(49)).reservation  # the same weekdays, a week later
    assert second.total.amount_minor == 2 * first.total.amount_minor > 0
    await _sql(
        infra, "UPDATE booking.accommodations SET cancellation_rules = '[]', active = false WHERE id = $1", cabin.id
    )
    with pytest.raises(grpc.RpcError) as info:
        hold(booking, cabin.id, day(54), day(56))
    assert reason(info.value) == "ACCOMMODATION_INACTIVE"


def test_idempotency_key_returns_the_same_reservation(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    key = f"key-{cabin.id}"
    first = hold(booking, cabin.id, day(40), day(44), key=key)
    second = hold(booking, cabin.id, day(40), day(44), key=key)
    assert second.replayed and not first.replayed
    assert second.reservation.code == first.reservation.code
    assert second.manage_token == ""  # shown once
    with pytest.raises(grpc.RpcError) as info:
        hold(booking, cabin.id, day(60), day(62), key=key)
    assert reason(info.value) == "IDEMPOTENCY_KEY_REUSED"


def test_confirm_is_idempotent(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(40), day(44)).reservation.code
    request = booking_pb2.ConfirmReservationRequest(code=code, payment_reference="mp-1")
    first, second = booking.ConfirmReservation(request), booking.ConfirmReservation(request)
    assert first.outcome == booking_pb2.CONFIRM_OUTCOME_CONFIRMED
    assert second.outcome == booking_pb2.CONFIRM_OUTCOME_ALREADY_CONFIRMED
    assert second.reservation.status == CONFIRMED and not second.reservation.HasField("expires_at")


async def test_confirm_after_expiry_retakes_free_dates(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(40), day(44)).reservation.code
    await _run_out(infra, code)
    booking.ExpireDue(booking_pb2.ExpireDueRequest())
    reply = booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=code, payment_reference="mp-2"))
    assert reply.outcome == booking_pb2.CONFIRM_OUTCOME_RETAKEN
    assert reply.reservation.status == CONFIRMED


async def test_confirm_after_expiry_on_taken_dates_is_flagged(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    late = hold(booking, cabin.id, day(40), day(44)).reservation.code
    await _run_out(infra, late)
    winner = hold(booking, cabin.id, day(42), day(45)).reservation.code
    request = booking_pb2.ConfirmReservationRequest(code=late, payment_reference="mp-3")
    reply = booking.ConfirmReservation(request)
    assert reply.outcome == booking_pb2.CONFIRM_OUTCOME_PAID_BUT_UNAVAILABLE
    assert reply.reservation.status == common_pb2.RESERVATION_STATUS_EXPIRED
    assert reply.reservation.paid_but_unavailable
    assert booking.ConfirmReservation(request).outcome == booking_pb2.CONFIRM_OUTCOME_PAID_BUT_UNAVAILABLE
    still = booking.GetReservation(booking_pb2.GetReservationRequest(code=winner)).reservation
    assert still.status == common_pb2.RESERVATION_STATUS_PRE_RESERVED


def test_availability_lists_free_cabins_with_quotes(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    small = make_cabin(booking, capacity=2)
    big = make_cabin(booking, capacity=6)
    hold(booking, big.id, day(40), day(42))
    reply = booking.CheckAvailability(
        booking_pb2.CheckAvailabilityRequest(stay=stay(day(41), day(43)), guests=2, busy_window=stay(day(30), day(60)))
    )
    free = {a.accommodation.id: a.quote for a in reply.available}
    refused = {u.accommodation_id: u.reason for u in reply.unavailable}
    assert small.id in free and free[small.id].nights == 2 and free[small.id].total.amount_minor > 0
    assert refused[big.id] == "DATES_UNAVAILABLE"
    busy = {b.accommodation_id: list(b.busy) for b in reply.busy}
    assert [(r.range.start.day, r.range.end.day) for r in busy[big.id]] == [(day(40).day, day(42).day)]
    reply = booking.CheckAvailability(booking_pb2.CheckAvailabilityRequest(stay=stay(day(41), day(43)), guests=5))
    assert {u.accommodation_id: u.reason for u in reply.unavailable}[small.id] == "CAPACITY_EXCEEDED"


@pytest.mark.parametrize(
    ("start", "end", "guests", "code", "why"),
    [
        (-3, 2, 2, grpc.StatusCode.INVALID_ARGUMENT, "DATES_IN_PAST"),
        (44, 40, 2, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_RANGE"),
        (40, 44, 0, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_GUESTS"),
        (40, 44, 9, grpc.StatusCode.INVALID_ARGUMENT, "CAPACITY_EXCEEDED"),
        (40, 400, 2, grpc.StatusCode.INVALID_ARGUMENT, "MAX_NIGHTS"),
    ],
)
def test_bad_holds_are_refused(
    booking: booking_pb2_grpc.BookingServiceStub, start: int, end: int, guests: int, code: grpc.StatusCode, why: str
) -> None:
    cabin = make_cabin(booking)
    with pytest.raises(grpc.RpcError) as info:
        hold(booking, cabin.id, day(start), day(end), guests=guests)
    assert (info.value.code(), reason(info.value)) == (code, why)


def test_unknown_and_inactive_cabins(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as info:
        hold(booking, 10**12, day(40), day(42))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    cabin = make_cabin(booking)
    booking.UpdateAccommodation(
        booking_pb2.UpdateAccommodationRequest(
            id=cabin.id, accommodation=booking_pb2.Accommodation(active=False), update_mask={"paths": ["active"]}
        )
    )
    with pytest.raises(grpc.RpcError) as info:
        hold(booking, cabin.id, day(40), day(42))
    assert reason(info.value) == "ACCOMMODATION_INACTIVE"


def test_impossible_date_is_invalid(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    bad = common_pb2.DateRange(
        start=common_pb2.Date(year=2027, month=2, day=30), end=common_pb2.Date(year=2027, month=3, day=2)
    )
    with pytest.raises(grpc.RpcError) as info:
        booking.PreReserve(booking_pb2.PreReserveRequest(accommodation_id=cabin.id, stay=bad, guests=1))
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_DATE")


def test_an_unknown_time_zone_is_refused(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    """Found by schemathesis: a cabin in zone "_PAYMENTISSUE" broke availability for every cabin."""
    with pytest.raises(grpc.RpcError) as info:
        make_cabin(booking, time_zone="_PAYMENTISSUE")
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_TIME_ZONE")
    cabin = make_cabin(booking)
    with pytest.raises(grpc.RpcError) as info:
        booking.UpdateAccommodation(
            booking_pb2.UpdateAccommodationRequest(
                id=cabin.id, accommodation=booking_pb2.Accommodation(time_zone="Mars/Olympus")
            )
        )
    assert reason(info.value) == "INVALID_TIME_ZONE"


def test_external_blocks_cannot_come_as_holds(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    request = booking_pb2.PreReserveRequest(
        accommodation_id=cabin.id, stay=stay(day(40), day(42)), guests=1, channel=common_pb2.CHANNEL_ICAL
    )
    with pytest.raises(grpc.RpcError) as info:
        booking.PreReserve(request)
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CHANNEL")


def test_a_cabin_needs_a_name_a_capacity_and_a_price(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as info:
        make_cabin(booking, capacity=0)
    assert (info.value.code(), reason(info.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "MISSING_FIELD")
    suffix = uuid.uuid4().hex[:8]
    named = make_cabin(booking, name=f"Cabaña Ñire {suffix}")
    assert named.slug == f"cabana-nire-{suffix}"
