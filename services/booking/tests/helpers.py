"""Helpers for booking tests: a fresh cabin per test (tests share one database), future dates."""

import uuid
from datetime import date, timedelta
from typing import Any

import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.common.grpc_clients import error_info


def day(offset: int) -> date:
    """A day `offset` days from today (far enough ahead for any time zone)."""
    return date.today() + timedelta(days=offset)


def date_pb(value: date) -> common_pb2.Date:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


def stay(start: date, end: date) -> common_pb2.DateRange:
    return common_pb2.DateRange(start=date_pb(start), end=date_pb(end))


def make_cabin(stub: booking_pb2_grpc.BookingServiceStub, **fields: Any) -> booking_pb2.Accommodation:
    values: dict[str, Any] = {
        "name": f"Cabaña test {uuid.uuid4().hex[:8]}",
        "capacity": 4,
        "base_nightly_price": common_pb2.Money(amount_minor=50_000_00, currency="ARS"),
        "min_nights": 1,
    }
    values.update(fields)
    return stub.CreateAccommodation(
        booking_pb2.CreateAccommodationRequest(accommodation=booking_pb2.Accommodation(**values))
    )


def hold(
    stub: booking_pb2_grpc.BookingServiceStub, cabin_id: int, start: date, end: date, key: str = "", guests: int = 2
) -> booking_pb2.PreReserveResponse:
    return stub.PreReserve(
        booking_pb2.PreReserveRequest(
            accommodation_id=cabin_id,
            stay=stay(start, end),
            guests=guests,
            guest=booking_pb2.Guest(name="Ana Pérez", phone="+5491155555555"),
            channel=common_pb2.CHANNEL_WEB,
            idempotency_key=key,
        ),
        timeout=10,
    )


def reason(error: grpc.RpcError) -> str:
    """The ErrorInfo reason of a failed call."""
    info = error_info(error)
    return str(info.reason) if info else ""
