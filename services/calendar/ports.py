"""What calendar needs from booking, in calendar's own values. `adapters.GrpcBooking` is the
implementation over gRPC; tests use an in-memory one. Failures are DomainErrors: NOT_FOUND when
booking has no such cabin, UNAVAILABLE (reason: the gRPC code) when it did not answer."""

from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypedDict

from services.calendar.ical import Booked, Event


@dataclass(frozen=True)
class Cabin:
    id: int
    name: str
    time_zone: str  # IANA name; "" when the cabin has none


class Conflict(TypedDict):
    """A block booking refused because it overlaps a direct reservation. Dates are ISO strings:
    a feed row keeps its conflicts as JSON."""

    uid: str
    check_in: str
    check_out: str
    reservation_code: str
    source: str
    reservation_check_in: str
    reservation_check_out: str


@dataclass(frozen=True)
class BlockSync:
    """What booking did with a source's full set of blocks."""

    created: int
    updated: int
    removed: int
    unchanged: int
    conflicts: list[Conflict]


class Booking(Protocol):
    async def cabin(self, accommodation_id: int) -> Cabin: ...

    async def booked(self, accommodation_id: int, start: date, end: date) -> list[Booked]:
        """The reservations and blocks holding the cabin's nights that overlap [start, end)."""

    async def sync_blocks(self, accommodation_id: int, source: str, events: list[Event]) -> BlockSync:
        """Make `events` the cabin's complete set of blocks from `source` (none removes them all)."""
