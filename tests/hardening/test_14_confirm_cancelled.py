"""Admin-confirming a cancelled reservation flags a false `paid_but_unavailable` (issue 14, item 14).

Without a payment there is nothing to refund, so booking refuses an admin's confirm of a
cancelled reservation (409 `reservation_cancelled` through the gateway, FAILED_PRECONDITION
RESERVATION_CANCELLED over gRPC), and of a run-out hold whose dates were taken since
(DATES_UNAVAILABLE); the reservation stays as it was. A payment arriving for either is still
flagged for a refund. And (item 13) a confirm needs a payment reference or an admin
(`forced_by_admin`): neither is INVALID_ARGUMENT PAYMENT_REFERENCE_REQUIRED.
"""

from collections.abc import Iterator

import asyncpg
import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.booking.tests.helpers import day, hold, make_cabin, reason
from tests.stack import Infra, Stack, admin_token

CANCELLED = common_pb2.RESERVATION_STATUS_CANCELLED
EXPIRED = common_pb2.RESERVATION_STATUS_EXPIRED


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


def _cancelled(booking: booking_pb2_grpc.BookingServiceStub) -> str:
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(40), day(43)).reservation.code
    booking.CancelReservation(booking_pb2.CancelReservationRequest(code=code, reason="test", actor="guest"))
    return code


async def _row(infra: Infra, code: str) -> asyncpg.Record:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        row = await conn.fetchrow(
            "SELECT status, paid_but_unavailable, payment_reference,"
            " (SELECT count(*) FROM booking.outbox o WHERE o.payload->>'code' = r.code"
            "  AND o.type = 'reservation.paid_but_unavailable') AS flagged_events"
            " FROM booking.reservations r WHERE code = $1",
            code,
        )
        assert row is not None
        return row
    finally:
        await conn.close()


def _confirm_error(booking: booking_pb2_grpc.BookingServiceStub, **request: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(**request))  # type: ignore[arg-type]
    return info.value


async def test_the_admin_confirm_route_refuses_a_cancelled_reservation(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    code = _cancelled(booking)
    auth = {"Authorization": f"Bearer {admin_token()}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=auth) as http:
        forced = await http.post(f"/api/v1/admin/reservations/{code}/confirm")
        assert forced.status_code == 409, forced.text
        assert forced.json()["error"]["code"] == "reservation_cancelled"
        after = (await http.get(f"/api/v1/reservations/{code}")).json()
    assert after["status"] == "cancelled" and not after.get("paid_but_unavailable")
    row = await _row(infra, code)
    assert (row["status"], row["paid_but_unavailable"], row["flagged_events"]) == ("cancelled", False, 0)


def test_forced_confirm_of_a_cancelled_reservation_is_a_failed_precondition(
    booking: booking_pb2_grpc.BookingServiceStub,
) -> None:
    code = _cancelled(booking)
    error = _confirm_error(booking, code=code, forced_by_admin=True)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and reason(error) == "RESERVATION_CANCELLED"


async def test_a_payment_for_a_cancelled_reservation_is_still_flagged_for_a_refund(
    infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    code = _cancelled(booking)
    request = booking_pb2.ConfirmReservationRequest(code=code, payment_reference="mercadopago:late-1")
    reply = booking.ConfirmReservation(request)
    assert reply.outcome == booking_pb2.CONFIRM_OUTCOME_PAID_BUT_UNAVAILABLE
    assert reply.reservation.status == CANCELLED and reply.reservation.paid_but_unavailable
    row = await _row(infra, code)
    assert (row["payment_reference"], row["flagged_events"]) == ("mercadopago:late-1", 1)


async def test_forced_confirm_of_a_run_out_hold_on_taken_dates_is_refused(
    infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    late = hold(booking, cabin.id, day(50), day(53)).reservation.code
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute(
            "UPDATE booking.reservations SET expires_at = now() - interval '1 minute' WHERE code = $1", late
        )
    finally:
        await conn.close()
    booking.ExpireDue(booking_pb2.ExpireDueRequest())
    hold(booking, cabin.id, day(51), day(54))  # someone else took the dates
    error = _confirm_error(booking, code=late, forced_by_admin=True)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and reason(error) == "DATES_UNAVAILABLE"
    row = await _row(infra, late)
    assert (row["status"], row["paid_but_unavailable"], row["flagged_events"]) == ("expired", False, 0)


def test_a_confirm_needs_a_payment_reference_or_an_admin(booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    code = hold(booking, cabin.id, day(60), day(62)).reservation.code
    error = _confirm_error(booking, code=code)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and reason(error) == "PAYMENT_REFERENCE_REQUIRED"
    still = booking.GetReservation(booking_pb2.GetReservationRequest(code=code)).reservation
    assert still.status == common_pb2.RESERVATION_STATUS_PRE_RESERVED
    forced = booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=code, forced_by_admin=True))
    assert forced.outcome == booking_pb2.CONFIRM_OUTCOME_CONFIRMED
