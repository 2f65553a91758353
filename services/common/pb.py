"""Conversions between Python values and the contract's common messages, used
by every service and the gateway."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar, cast

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.timestamp_pb2 import Timestamp

from cabanas.v1 import common_pb2

E = TypeVar("E", bound=int)  # a generated enum class, e.g. common_pb2.Channel


def enum_values(enum: type[E], prefix: str) -> dict[str, E]:
    """{"pre_reserved": RESERVATION_STATUS_PRE_RESERVED, ...}: the enum's values by their lower-case
    name without the prefix, read from its descriptor so a reordered or new value cannot drift.
    An `*_UNSPECIFIED` zero is left out: it names no value."""
    wrapper = cast(EnumTypeWrapper, enum)  # what the generated class is at run time
    return {
        v.name.removeprefix(prefix).lower(): cast(E, v.number)
        for v in wrapper.DESCRIPTOR.values
        if not v.name.endswith("_UNSPECIFIED")
    }


def enum_names(enum: type[E], prefix: str) -> dict[E, str]:
    """The inverse of `enum_values`: {RESERVATION_STATUS_PRE_RESERVED: "pre_reserved", ...}."""
    return {number: name for name, number in enum_values(enum, prefix).items()}


# The tables every service and the gateway share.
CHANNELS = enum_values(common_pb2.Channel, "CHANNEL_")
CHANNEL_NAMES = enum_names(common_pb2.Channel, "CHANNEL_")
RESERVATION_STATUSES = enum_values(common_pb2.ReservationStatus, "RESERVATION_STATUS_")
RESERVATION_STATUS_NAMES = enum_names(common_pb2.ReservationStatus, "RESERVATION_STATUS_")


def money_pb(amount_minor: int, currency: str) -> common_pb2.Money:
    return common_pb2.Money(amount_minor=amount_minor, currency=currency.strip())


def date_pb(value: date | str | None) -> common_pb2.Date:
    """A Date message from a date or an ISO string (empty for None)."""
    if value is None:
        return common_pb2.Date()
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


def range_pb(start: date | str | None, end: date | str | None) -> common_pb2.DateRange:
    return common_pb2.DateRange(start=date_pb(start), end=date_pb(end))


def day(value: common_pb2.Date) -> date:
    """The date of a Date message; ValueError when it is not a real day."""
    return date(value.year, value.month, value.day)


def timestamp_pb(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def conflict_pb(c: Mapping[str, Any]) -> common_pb2.BlockConflict:
    """A BlockConflict from its dict form (dates as dates or ISO strings)."""
    return common_pb2.BlockConflict(
        uid=c["uid"],
        range=range_pb(c["check_in"], c["check_out"]),
        reservation_code=c["reservation_code"],
        reservation_range=range_pb(c["reservation_check_in"], c["reservation_check_out"]),
        source=c["source"],
    )
