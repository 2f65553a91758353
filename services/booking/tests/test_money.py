"""Money in booking (issue 17): each cabin's cancellation rules, the terms a reservation keeps from
when it was booked, what a cancellation refunds, and what the events say about it."""

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.booking.server import SERVICE
from services.booking.tests.helpers import day, hold, make_cabin, reason, stay
from services.common.cancellation import DEFAULT_POLICY
from services.common.db import json_codecs, migrate
from tests.stack import Infra, Stack

OWNER = "admin:owner@example.com"
Rule = booking_pb2.CancellationRule
DEFAULT = [Rule(days_before=r.days_before, percent=r.percent) for r in DEFAULT_POLICY]
OWN = [Rule(days_before=3, percent=0), Rule(days_before=30, percent=100)]  # given in any order
OWN_STORED = [Rule(days_before=30, percent=100), Rule(days_before=3, percent=0)]  # most days first
CANCELLED = common_pb2.RESERVATION_STATUS_CANCELLED


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


def _update(
    stub: booking_pb2_grpc.BookingServiceStub, cabin_id: int, paths: list[str], **fields: Any
) -> booking_pb2.Accommodation:
    request = booking_pb2.UpdateAccommodationRequest(
        id=cabin_id, accommodation=booking_pb2.Accommodation(**fields), update_mask=FieldMask(paths=paths)
    )
    return stub.UpdateAccommodation(request, timeout=10)


def _manual(stub: booking_pb2_grpc.BookingServiceStub, cabin_id: int, start: int, end: int) -> booking_pb2.Reservation:
    request = booking_pb2.CreateManualReservationRequest(
        accommodation_id=cabin_id,
        stay=stay(day(start), day(end)),
        guests=2,
        guest=booking_pb2.Guest(name="José Pérez", phone="+5492944123456"),
        actor=OWNER,
    )
    return stub.CreateManualReservation(request, timeout=10)


def _cancel(
    stub: booking_pb2_grpc.BookingServiceStub,
    code: str,
    mode: booking_pb2.RefundMode = booking_pb2.REFUND_MODE_UNSPECIFIED,
    amount: int | None = None,
    why: str = "",
) -> booking_pb2.Reservation:
    request = booking_pb2.CancelReservationRequest(code=code, reason=why, actor=OWNER, refund_mode=mode)
    if amount is not None:
        request.refund_amount.CopyFrom(common_pb2.Money(amount_minor=amount, currency="ARS"))
    return stub.CancelReservation(request, timeout=10)


def _history(stub: booking_pb2_grpc.BookingServiceStub, code: str) -> list[booking_pb2.HistoryEntry]:
    return list(stub.GetReservation(booking_pb2.GetReservationRequest(code=code, include_history=True)).history)


def _stream(stub: booking_pb2_grpc.BookingServiceStub, code: str) -> list[booking_pb2.DomainEvent]:
    """The events of one reservation, as StreamEvents replays them."""
    call = stub.StreamEvents(booking_pb2.StreamEventsRequest(after_id=0), timeout=10)
    return [event for event in call if event.reservation.code == code]


async def _outbox(infra: Infra, code: str) -> list[tuple[str, dict[str, Any]]]:
    conn = await asyncpg.connect(infra.postgres.url, server_settings={"search_path": "booking"})
    try:
        await json_codecs(conn)
        rows = await conn.fetch("SELECT type, payload FROM outbox WHERE payload->>'code' = $1 ORDER BY id", code)
    finally:
        await conn.close()
    return [(row["type"], row["payload"]) for row in rows]


# A cabin's rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param([Rule(days_before=d, percent=0) for d in range(11)], id="more than ten rules"),
        pytest.param([Rule(days_before=366, percent=100)], id="more than a year"),
        pytest.param([Rule(days_before=10, percent=101)], id="more than everything"),
        pytest.param([Rule(days_before=10, percent=100), Rule(days_before=10, percent=50)], id="the same days twice"),
        pytest.param([Rule(days_before=15, percent=50), Rule(days_before=7, percent=100)], id="more for fewer days"),
    ],
)
def test_an_unusable_policy_is_refused_on_create_and_on_update(
    booking: booking_pb2_grpc.BookingServiceStub, rules: list[booking_pb2.CancellationRule]
) -> None:
    with pytest.raises(grpc.RpcError) as created:
        make_cabin(booking, cancellation_rules=rules)
    assert (created.value.code(), reason(created.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_POLICY")

    cabin = make_cabin(booking, cancellation_rules=OWN)
    with pytest.raises(grpc.RpcError) as updated:
        _update(booking, cabin.id, ["cancellation_rules", "name"], cancellation_rules=rules, name="Otro nombre")
    assert reason(updated.value) == "INVALID_POLICY"
    kept = booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=cabin.id))
    assert (list(kept.cancellation_rules), kept.name) == (OWN_STORED, cabin.name)  # nothing written


def test_a_cabin_keeps_its_rules_most_days_first_and_none_means_the_default(
    booking: booking_pb2_grpc.BookingServiceStub,
) -> None:
    plain = make_cabin(booking)
    assert (list(plain.cancellation_rules), plain.balance_on_arrival) == ([], False)

    cabin = make_cabin(booking, cancellation_rules=OWN, balance_on_arrival=True)
    assert (list(cabin.cancellation_rules), cabin.balance_on_arrival) == (OWN_STORED, True)

    # Each field by its own mask path: the other one stays.
    off = _update(booking, cabin.id, ["balance_on_arrival"])  # a path whose field is unset: false
    assert (list(off.cancellation_rules), off.balance_on_arrival) == (OWN_STORED, False)
    _update(booking, cabin.id, ["balance_on_arrival"], balance_on_arrival=True)
    cleared = _update(booking, cabin.id, ["cancellation_rules"])
    assert (list(cleared.cancellation_rules), cleared.balance_on_arrival) == ([], True)
    again = _update(booking, cabin.id, ["cancellation_rules"], cancellation_rules=OWN[:1])
    assert list(again.cancellation_rules) == OWN[:1] and again.balance_on_arrival


# What a reservation keeps ---------------------------------------------------------------------


def test_every_reservation_keeps_its_cabins_terms_as_they_were_when_booked(
    booking: booking_pb2_grpc.BookingServiceStub,
) -> None:
    cabin = make_cabin(booking, cancellation_rules=OWN, balance_on_arrival=True, time_zone="America/Mendoza")
    held = hold(booking, cabin.id, day(40), day(42)).reservation
    phoned = _manual(booking, cabin.id, 50, 52)
    for booked in (held, phoned):
        assert (list(booked.cancellation_rules), booked.time_zone, booked.balance_on_arrival) == (
            OWN_STORED,
            "America/Mendoza",
            True,
        )
        assert booked.refund_mode == booking_pb2.REFUND_MODE_UNSPECIFIED and not booked.HasField("refund_amount")

    plain = make_cabin(booking)
    default = hold(booking, plain.id, day(40), day(42)).reservation
    assert (list(default.cancellation_rules), default.time_zone, default.balance_on_arrival) == (
        DEFAULT,  # written out: the default of today, whatever it becomes
        "America/Argentina/Buenos_Aires",
        False,
    )


def test_a_later_change_of_the_cabins_policy_leaves_existing_bookings_alone(
    booking: booking_pb2_grpc.BookingServiceStub,
) -> None:
    cabin = make_cabin(booking)
    before = hold(booking, cabin.id, day(40), day(42)).reservation
    _update(
        booking,
        cabin.id,
        ["cancellation_rules", "balance_on_arrival", "time_zone"],
        cancellation_rules=OWN,
        balance_on_arrival=True,
        time_zone="Europe/Madrid",
    )
    kept = booking.GetReservation(booking_pb2.GetReservationRequest(code=before.code)).reservation
    assert (list(kept.cancellation_rules), kept.time_zone, kept.balance_on_arrival) == (
        DEFAULT,
        "America/Argentina/Buenos_Aires",
        False,
    )
    after = hold(booking, cabin.id, day(50), day(52)).reservation
    assert (list(after.cancellation_rules), after.time_zone, after.balance_on_arrival) == (
        OWN_STORED,
        "Europe/Madrid",
        True,
    )
    cancelled = _cancel(booking, before.code)  # what a cancellation applies is still the old policy
    assert list(cancelled.cancellation_rules) == DEFAULT


async def test_the_migration_writes_the_default_policy_into_the_reservations_there_were(
    infra: Infra, tmp_path: Path
) -> None:
    assert SERVICE.migrations is not None
    before = tmp_path / "before"
    before.mkdir()
    for sql in sorted(SERVICE.migrations.glob("*.sql")):
        if sql.name < "0006":
            shutil.copy(sql, before)
    schema = f"m_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await json_codecs(conn)
        await migrate(conn, schema, before)
        cabin = await conn.fetchval(
            f"INSERT INTO {schema}.accommodations (slug, name, capacity, base_price_minor, time_zone)"
            " VALUES ('vieja', 'Vieja', 2, 100, 'America/Mendoza') RETURNING id"
        )
        await conn.execute(
            f"INSERT INTO {schema}.reservations (code, accommodation_id, check_in, check_out, guests, status, channel)"
            " VALUES ('RESOLD', $1, '2030-01-10', '2030-01-12', 2, 'confirmed', 'web')",
            cabin,
        )
        assert (await migrate(conn, schema, SERVICE.migrations))[0] == "0006_money"  # and any after it
        row = await conn.fetchrow(f"SELECT * FROM {schema}.reservations WHERE code = 'RESOLD'")
        assert row is not None
        assert row["cancellation_rules"] == [asdict(rule) for rule in DEFAULT_POLICY]
        assert (row["time_zone"], row["balance_on_arrival"], row["refund_mode"]) == ("America/Mendoza", False, None)
        own = await conn.fetchval(f"SELECT cancellation_rules FROM {schema}.accommodations WHERE id = $1", cabin)
        assert own == []  # the cabin follows the default, it does not copy it
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.close()


# Cancelling -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "amount", "why", "expected"),
    [
        (booking_pb2.REFUND_MODE_UNSPECIFIED, None, "", {"refund_mode": "policy"}),
        (booking_pb2.REFUND_MODE_POLICY, None, "", {"refund_mode": "policy"}),
        (booking_pb2.REFUND_MODE_FULL, None, "Se inundó el camino", {"refund_mode": "full"}),
        (
            booking_pb2.REFUND_MODE_AMOUNT,
            12_345_00,
            "Acordado por teléfono",
            {"refund_mode": "amount", "refund_amount": "1234500"},
        ),
        (booking_pb2.REFUND_MODE_NONE, None, "No vino", {"refund_mode": "none"}),
    ],
)
def test_a_cancellation_records_what_to_refund_and_who_chose_it(
    booking: booking_pb2_grpc.BookingServiceStub,
    mode: booking_pb2.RefundMode,
    amount: int | None,
    why: str,
    expected: dict[str, str],
) -> None:
    cabin = make_cabin(booking)
    booked = _manual(booking, cabin.id, 40, 42)
    cancelled = _cancel(booking, booked.code, mode, amount, why)
    assert cancelled.status == CANCELLED
    assert booking_pb2.RefundMode.Name(cancelled.refund_mode) == f"REFUND_MODE_{expected['refund_mode'].upper()}"
    assert cancelled.HasField("refund_amount") == (amount is not None)
    assert cancelled.refund_amount.amount_minor == (amount or 0)
    entry = _history(booking, booked.code)[-1]
    assert (entry.actor, entry.action, entry.text, dict(entry.data)) == (OWNER, "cancelled", why, expected)


@pytest.mark.parametrize(
    ("mode", "amount", "why"),
    [
        pytest.param(booking_pb2.REFUND_MODE_AMOUNT, None, "Acordado", id="an amount mode without an amount"),
        pytest.param(booking_pb2.REFUND_MODE_AMOUNT, 0, "Acordado", id="an amount of nothing"),
        pytest.param(booking_pb2.REFUND_MODE_AMOUNT, -5, "Acordado", id="a negative amount"),
        pytest.param(booking_pb2.REFUND_MODE_FULL, 100, "Acordado", id="an amount with another mode"),
        pytest.param(booking_pb2.REFUND_MODE_FULL, None, "  ", id="all without a reason"),
        pytest.param(booking_pb2.REFUND_MODE_NONE, None, "", id="nothing without a reason"),
        pytest.param(booking_pb2.REFUND_MODE_AMOUNT, 100, "", id="an amount without a reason"),
        pytest.param(99, None, "Acordado", id="a mode there is not"),
    ],
)
async def test_a_refund_that_cannot_be_is_refused_and_nothing_changes(
    booking: booking_pb2_grpc.BookingServiceStub,
    infra: Infra,
    mode: booking_pb2.RefundMode,
    amount: int | None,
    why: str,
) -> None:
    cabin = make_cabin(booking)
    booked = _manual(booking, cabin.id, 40, 42)
    with pytest.raises(grpc.RpcError) as refused:
        _cancel(booking, booked.code, mode, amount, why)
    assert (refused.value.code(), reason(refused.value)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REFUND")
    still = booking.GetReservation(booking_pb2.GetReservationRequest(code=booked.code)).reservation
    assert still.status == common_pb2.RESERVATION_STATUS_CONFIRMED
    assert [kind for kind, _ in await _outbox(infra, booked.code)] == ["reservation.confirmed"]


async def test_cancelling_twice_changes_nothing_the_second_time_and_writes_one_event(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking, cancellation_rules=OWN, time_zone="America/Mendoza")
    booked = _manual(booking, cabin.id, 40, 42)
    first = _cancel(booking, booked.code, booking_pb2.REFUND_MODE_AMOUNT, 5_000_00, "Acordado")
    second = _cancel(booking, booked.code, booking_pb2.REFUND_MODE_NONE, None, "Otra vez")
    assert second == first
    assert [h.action for h in _history(booking, booked.code)].count("cancelled") == 1

    events = await _outbox(infra, booked.code)
    assert [kind for kind, _ in events] == ["reservation.confirmed", "reservation.cancelled"]
    payload = events[1][1]
    assert {k: payload[k] for k in ("refund_mode", "refund_amount_minor", "reason", "actor")} == {
        "refund_mode": "amount",
        "refund_amount_minor": 5_000_00,
        "reason": "Acordado",
        "actor": OWNER,
    }
    assert (payload["cancellation_rules"], payload["time_zone"]) == (
        [{"days_before": 30, "percent": 100}, {"days_before": 3, "percent": 0}],
        "America/Mendoza",
    )
    streamed = _stream(booking, booked.code)[-1]
    assert streamed.type == "reservation.cancelled"
    assert (streamed.reservation.refund_mode, streamed.reservation.refund_amount.amount_minor) == (
        booking_pb2.REFUND_MODE_AMOUNT,
        5_000_00,
    )
    assert (list(streamed.reservation.cancellation_rules), streamed.reservation.time_zone) == (
        OWN_STORED,
        "America/Mendoza",
    )


async def test_a_hold_cancelled_records_its_mode_too(
    booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    held = hold(booking, cabin.id, day(40), day(42)).reservation
    request = booking_pb2.CancelReservationRequest(code=held.code, reason="pedido por WhatsApp", actor="guest")
    cancelled = booking.CancelReservation(request, timeout=10)
    assert (cancelled.status, cancelled.refund_mode) == (CANCELLED, booking_pb2.REFUND_MODE_POLICY)
    kinds, payloads = zip(*await _outbox(infra, held.code), strict=True)
    assert kinds == ("reservation.pre_reserved", "reservation.cancelled")
    assert (payloads[1]["refund_mode"], payloads[1]["refund_amount_minor"], payloads[1]["actor"]) == (
        "policy",
        None,
        "guest",
    )
    hold(booking, cabin.id, day(40), day(42))  # the dates are free again


def test_a_move_is_streamed_with_the_nights_it_had(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    booked = _manual(booking, cabin.id, 40, 43)
    request = booking_pb2.ChangeDatesRequest(code=booked.code, stay=stay(day(41), day(45)), actor=OWNER)
    booking.ChangeDates(request, timeout=10)
    confirmed, moved = _stream(booking, booked.code)
    assert not confirmed.HasField("previous_stay")
    assert (moved.type, moved.previous_stay, moved.reservation.stay) == (
        "reservation.dates_changed",
        stay(day(40), day(43)),
        stay(day(41), day(45)),
    )
