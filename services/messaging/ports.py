"""What the messaging domain needs from the other services, and the values it
gets back; `adapters.py` implements these over gRPC, tests with small fakes.

`Backend`: the dialog's booking and payments. `Feeds`: the notifier's event
streams and reservations. `Transcriber`: the speech service, for voice notes.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True)
class Offer:
    cabin: Cabin
    total_minor: int
    currency: str


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

    async def offers(self, check_in: date, check_out: date, guests: int) -> list[Offer]:
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

    async def cancel(self, code: str) -> None: ...


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
