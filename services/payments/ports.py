"""What payments needs from booking, as plain values; `adapters.py` speaks gRPC.

Failures are `DomainError`s: NOT_FOUND when booking knows no such reservation,
UNAVAILABLE (reason: booking's status code name) when it did not answer.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Protocol


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
