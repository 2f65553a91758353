"""What payments needs from booking, as plain values; `adapters.py` speaks gRPC.

Failures are `DomainError`s: NOT_FOUND when booking knows no such reservation,
UNAVAILABLE (reason: booking's status code name) when it did not answer.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Protocol

from services.common.cancellation import Rule


@dataclass(frozen=True)
class Reservation:
    """The part of booking's reservation a payment is checked against."""

    code: str
    status: str  # "pre_reserved", "confirmed", ... (services.common.pb.RESERVATION_STATUSES)
    accommodation_name: str
    check_in: date
    check_out: date
    nights: int
    deposit_minor: int
    currency: str
    expires_at: datetime  # when the hold ends
    total_minor: int  # what the stay costs
    rules: tuple[Rule, ...] = ()  # its cancellation policy as booked (empty: the default)
    time_zone: str = ""  # the cabin's, where days before check-in count ("" = Argentina's)
    balance_on_arrival: bool = False  # the balance is paid at the cabin, not online
    guest_email: str = ""  # filled in on the checkout when the link is made without one


class Outcome(Enum):
    """What confirming did; named as booking's ConfirmOutcome."""

    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    RETAKEN = "retaken"  # the hold had expired, the dates were still free
    PAID_BUT_UNAVAILABLE = "paid_but_unavailable"  # expired and taken: to refund


class Booking(Protocol):
    async def reservation(self, code: str) -> Reservation: ...

    async def confirm(self, code: str, payment_reference: str, actor: str) -> Outcome:
        """Confirm the reservation with that payment; `actor` is who, for booking's history."""
        ...


@dataclass(frozen=True)
class Cancelled:
    """A `reservation.cancelled` event of booking's stream, with what the canceller chose to refund."""

    event_id: int  # the stream's cursor
    reservation: Reservation
    cancelled_at: datetime
    refund_mode: str  # "policy", "full", "amount", "none"
    refund_amount_minor: int | None  # with "amount"
    actor: str  # who cancelled: "guest", "user:<id>", "admin:<sub>", "system"
    reason: str


class BookingEvents(Protocol):
    def cancellations(self, after_id: int) -> AsyncIterator[Cancelled]:
        """Cancellations after the cursor, then new ones as they commit (at-least-once)."""
        ...
