"""What the messaging domain needs from the other services, and the values it
gets back; `adapters.py` implements these over gRPC, tests with small fakes.

`Backend`: the dialog's booking and payments. `Feeds`: the notifier's event
streams and reservations. `Transcriber`: the speech service, for voice notes.
"""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Protocol


class Refused(Exception):
    """Booking said no; `reason` is its ErrorInfo reason, the message is for the guest."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Cabin:
    id: int
    slug: str
    name: str
    capacity: int
    amenities: tuple[str, ...] = ()
    check_in_time: str = ""  # "HH:MM", the cabin's local time
    check_out_time: str = ""
    deposit_percent: int = 0  # of the stay's total, to hold it
    min_nights: int = 0  # outside seasons with their own minimum
    address: str = ""
    city: str = ""
    maps_url: str = ""
    # The owner's answers by GuestInfo field name (booking.proto: "pets", "wifi", ...), only
    # those written: a question whose field is missing goes to a person. Read-only, and left
    # out of the hash so a Cabin stays hashable.
    faq: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)


@dataclass(frozen=True)
class Offer:
    cabin: Cabin
    total_minor: int
    currency: str


@dataclass(frozen=True)
class Availability:
    """The free cabins for a stay, and why the others cannot take it (booking's reasons:
    "DATES_UNAVAILABLE", "MIN_NIGHTS", "CAPACITY_EXCEEDED", ...)."""

    free: list[Offer]
    reasons: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Held:
    """A reservation as the bot tells its guest about it."""

    code: str
    cabin: str
    check_in: date
    check_out: date
    guests: int
    total_minor: int
    deposit_minor: int
    currency: str
    expires_at: datetime | None
    status: str = "pre_reserved"  # a name of pb.RESERVATION_STATUSES
    guest_name: str = ""
    phone: str = ""  # the guest's number without "+", as WhatsApp writes it
    channel: str = "whatsapp"  # a name of pb.CHANNELS: where the reservation was made
    created_at: datetime | None = None


@dataclass(frozen=True)
class BookingEvent:
    id: int  # the stream's cursor
    type: str  # "reservation.confirmed", ...
    traceparent: str
    reservation: Held | None


@dataclass(frozen=True)
class PaymentEvent:
    id: int
    type: str  # "payment.rejected", ...
    traceparent: str
    reservation_code: str


class Backend(Protocol):
    """The dialog's booking and payments."""

    async def cabins(self) -> list[Cabin]: ...

    async def offers(self, check_in: date, check_out: date, guests: int) -> Availability:
        """The free cabins that fit, with their price; Refused for an impossible stay."""
        ...

    async def hold(
        self, cabin_id: int, check_in: date, check_out: date, guests: int, phone: str, name: str, key: str
    ) -> Held:
        """A hold on the dates, once per key; Refused when booking says no."""
        ...

    async def payment_link(self, code: str) -> str | None:
        """The deposit's payment link; None when payments did not answer (the hold stands)."""
        ...

    async def reservations(self, phone: str) -> list[Held]: ...

    async def cancel(self, code: str) -> None:
        """Cancel on the guest's explicit yes (the dialog asked first)."""
        ...

    async def payment_status(self, code: str) -> str | None:
        """The latest payment's status ("approved", "pending", "in_process", "rejected", ...);
        None when the reservation has no payment yet."""
        ...


class Feeds(Protocol):
    """The notifier's booking and payments: their events from a cursor, and the holds."""

    def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]: ...

    def payment_events(self, after_id: int) -> AsyncIterator[PaymentEvent]: ...

    async def reservation(self, code: str) -> Held | None:
        """The reservation with that code; None when there is none."""
        ...

    async def holds(self) -> list[Held]:
        """The holds (pre-reservations) waiting for their payment."""
        ...

    async def payment_link(self, code: str) -> str: ...


class Transcriber(Protocol):
    async def transcribe(self, audio: bytes, mime_type: str, language: str) -> tuple[str, float]:
        """(transcript, confidence) of an audio clip."""
        ...


@dataclass(frozen=True)
class Ports:
    """The other services, as the domain sees them."""

    backend: Backend
    feeds: Feeds
    speech: Transcriber
