"""The exported calendar and the tables protobuf needs, without a database."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from cabanas.v1 import booking_pb2, calendar_pb2, common_pb2
from services.calendar import convert, export, links
from services.calendar.ical import Booked
from services.calendar.ports import Cabin
from services.calendar.tests.fakes import FakeBooking
from services.common.errors import DomainError, Kind

SALT = b"test-salt"
STAMP = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def booked(code: str, offset: int, source: str, status: str = "booked", stamp: datetime = STAMP) -> Booked:
    start = date.today() + timedelta(days=offset)
    return Booked(code, start, start + timedelta(days=2), status, source, stamp)


@pytest.fixture
def booking() -> FakeBooking:
    fake = FakeBooking()
    fake.add(Cabin(7, "Cabaña del Lago", "America/Argentina/Buenos_Aires"))
    fake.reservations[7] = [
        booked("RES1", 10, "web"),
        booked("BLK1", 20, "airbnb", "blocked", STAMP + timedelta(hours=1)),
        booked("OLD1", -400, "web"),  # long gone: outside the window
    ]
    return fake


async def test_a_wrong_token_is_forbidden_before_booking_is_asked(booking: FakeBooking) -> None:
    with pytest.raises(DomainError) as refused:
        await export.calendar(booking, SALT, 7, "0" * 64, "")
    assert (refused.value.kind, refused.value.reason) == (Kind.FORBIDDEN, "INVALID_TOKEN")
    assert booking.asked == []


async def test_an_unknown_cabin_is_not_found(booking: FakeBooking) -> None:
    with pytest.raises(DomainError) as missing:
        await export.calendar(booking, SALT, 8, links.token(SALT, 8), "")
    assert missing.value.kind == Kind.NOT_FOUND


async def test_the_calendar_shows_what_holds_nights_within_the_window(booking: FakeBooking) -> None:
    out = await export.calendar(booking, SALT, 7, links.token(SALT, 7), "")
    events = icalendar.Calendar.from_ical(out.ics).events
    assert [(str(e["X-CODE"]), str(e["X-SOURCE"]), str(e["SUMMARY"])) for e in events] == [
        ("RES1", "web", "Reservado (RES1)"),
        ("BLK1", "airbnb", "No disponible"),
    ]
    assert out.last_modified == STAMP + timedelta(hours=1) and out.etag.startswith('"')


async def test_a_channel_gets_the_calendar_without_its_own_blocks(booking: FakeBooking) -> None:
    out = await export.calendar(booking, SALT, 7, links.token(SALT, 7), "airbnb")
    assert [str(e["X-CODE"]) for e in icalendar.Calendar.from_ical(out.ics).events] == ["RES1"]
    assert out.last_modified == STAMP


async def test_the_owners_blocks_close_the_nights_on_every_channel(booking: FakeBooking) -> None:
    booking.reservations[7].append(booked("BLK2", 30, "owner", "blocked"))
    for channel in ("", "airbnb", "booking", "owner"):  # not even a channel named like the owner drops them
        out = await export.calendar(booking, SALT, 7, links.token(SALT, 7), channel)
        events = {str(e["X-CODE"]): str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(out.ics).events}
        assert events["BLK2"] == "No disponible"


async def test_an_empty_calendar_is_valid_and_stable() -> None:
    booking = FakeBooking()
    booking.add(Cabin(1, "Vacía", ""))
    first = await export.calendar(booking, SALT, 1, links.token(SALT, 1), "")
    again = await export.calendar(booking, SALT, 1, links.token(SALT, 1), "")
    assert icalendar.Calendar.from_ical(first.ics).events == []
    assert (first.etag, first.last_modified) == (again.etag, export.NEVER)


def test_every_sync_status_has_its_enum_value() -> None:
    assert convert.SYNC_STATUSES == {
        "ok": calendar_pb2.SYNC_STATUS_OK,
        "not_modified": calendar_pb2.SYNC_STATUS_NOT_MODIFIED,
        "failed": calendar_pb2.SYNC_STATUS_FAILED,
        "skipped": calendar_pb2.SYNC_STATUS_SKIPPED,
    }


@pytest.mark.parametrize(
    ("channel", "external_source", "status", "expected"),
    [
        (common_pb2.CHANNEL_WHATSAPP, "", common_pb2.RESERVATION_STATUS_CONFIRMED, ("whatsapp", "booked")),
        (common_pb2.CHANNEL_ADMIN, "", common_pb2.RESERVATION_STATUS_PRE_RESERVED, ("admin", "booked")),
        (common_pb2.CHANNEL_UNSPECIFIED, "", common_pb2.RESERVATION_STATUS_CONFIRMED, ("web", "booked")),
        (common_pb2.CHANNEL_ICAL, "airbnb", common_pb2.RESERVATION_STATUS_BLOCKED, ("airbnb", "blocked")),
    ],
)
def test_a_reservation_as_the_calendar_sees_it(
    channel: common_pb2.Channel,
    external_source: str,
    status: common_pb2.ReservationStatus,
    expected: tuple[str, str],
) -> None:
    reservation = booking_pb2.Reservation(
        code="RES1",
        stay=common_pb2.DateRange(
            start=common_pb2.Date(year=2027, month=1, day=10), end=common_pb2.Date(year=2027, month=1, day=12)
        ),
        status=status,
        channel=channel,
        external_source=external_source,
        updated_at=STAMP,
    )
    b = convert.booked(reservation)
    assert (b.source, b.status) == expected
    assert (b.code, b.start, b.end, b.updated_at) == ("RES1", date(2027, 1, 10), date(2027, 1, 12), STAMP)
