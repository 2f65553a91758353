"""14. Small ones: a `check_in` near 9999-12-31 makes availability answer 500.

The gateway added its 90-day busy window to the check-in (past `date.max`: OverflowError, 500), and
a hold near that date was refused as a bare `invalid_value` by Postgres. Now booking refuses a stay
that starts more than `holds.MAX_DAYS_AHEAD` (730) days ahead, whoever asks (422 `dates_too_far`
through the gateway, the limit in the details), and the gateway's busy window stops at the stay's
end where 90 days would not fit."""

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.booking.tests.helpers import day, make_cabin, stay
from services.common.grpc_clients import error_info
from tests.stack import Stack

Booking = booking_pb2_grpc.BookingServiceStub
FAR = [(date(9999, 12, 30), date(9999, 12, 31)), (date(9999, 10, 1), date(9999, 10, 3)), (day(3000), day(3002))]


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[Booking]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


@pytest.fixture(scope="module")
def cabin(booking: Booking) -> booking_pb2.Accommodation:
    return make_cabin(booking)


def _too_far(reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 422, reply.text
    error: dict[str, Any] = reply.json()["error"]
    assert error["code"] == "dates_too_far"
    return error


@pytest.mark.parametrize(("check_in", "check_out"), FAR)
def test_availability_of_a_far_stay_is_a_clear_422(
    stack: Stack, cabin: booking_pb2.Accommodation, check_in: date, check_out: date
) -> None:
    reply = httpx.get(
        f"{stack.gateway_url}/api/v1/accommodations/{cabin.id}/availability",
        params={"check_in": check_in.isoformat(), "check_out": check_out.isoformat()},
    )
    assert _too_far(reply)["details"] == {"max_days_ahead": "730"}


@pytest.mark.parametrize(("check_in", "check_out"), FAR)
def test_a_far_hold_is_a_clear_422(
    stack: Stack, cabin: booking_pb2.Accommodation, check_in: date, check_out: date
) -> None:
    body = {
        "accommodation_id": cabin.id,
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "guests": 2,
        "guest_name": "Ana Pérez",
        "guest_phone": "+5492944000000",
    }
    _too_far(httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=body))


@pytest.mark.parametrize(("check_in", "check_out"), FAR)
def test_booking_refuses_a_far_stay_whoever_asks(
    booking: Booking, cabin: booking_pb2.Accommodation, check_in: date, check_out: date
) -> None:
    calls: list[Callable[[], object]] = [
        lambda: booking.Quote(
            booking_pb2.QuoteRequest(accommodation_id=cabin.id, stay=stay(check_in, check_out), guests=1)
        ),
        lambda: booking.CheckAvailability(
            booking_pb2.CheckAvailabilityRequest(stay=stay(check_in, check_out), guests=1)
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.RpcError) as caught:
            call()
        info = error_info(caught.value)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert info is not None and info.reason == "DATES_TOO_FAR"


def test_the_last_day_ahead_is_still_bookable(stack: Stack, cabin: booking_pb2.Accommodation) -> None:
    reply = httpx.get(
        f"{stack.gateway_url}/api/v1/accommodations/{cabin.id}/availability",
        params={"check_in": day(729).isoformat(), "check_out": day(731).isoformat()},
    )
    assert reply.status_code == 200 and reply.json()["available"], reply.text
