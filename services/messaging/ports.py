"""What the messaging domain needs from the other services, and the values it
gets back; `adapters.py` implements these over gRPC, tests with small fakes.

`Backend`: the dialog's booking and payments. `Feeds`: the notifier's event
streams and reservations. `Transcriber`: the speech service, for voice notes.
`Team` and `Calendars`: who gets the team's alerts (accounts), and the channels' feeds (calendar).
"""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Protocol

from services.common.cancellation import Rule

CHAT_CANCEL_REASON = "pedido por WhatsApp"  # a cancellation the guest asked for in the chat (and was answered there)


class Refused(Exception):
    """Booking said no; `reason` is its ErrorInfo reason, the message is for the guest."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class GuestWords:
    """The owner's words in the guest's journey (booking.proto's GuestMessages); "" = not written."""

    keys: str = ""  # how to get in
    arrival_note: str = ""
    departure_note: str = ""
    review_url: str = ""  # http(s); no review request without it
    confirmed_note: str = ""


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
    cancellation_rules: tuple[Rule, ...] = ()  # empty: the default policy
    time_zone: str = ""  # IANA; "" = the guests' (dialog.GUEST_ZONE)
    photo_url: str = ""  # its first photo, for e-mails
    words: GuestWords = GuestWords()
    balance_on_arrival: bool = False


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
    cancellation_rules: tuple[Rule, ...] = ()  # the cabin's when booked; empty: not copied (older ones)
    balance_on_arrival: bool = False  # what is left after the deposit is paid at the cabin
    email: str = ""  # the guest's, when they gave one
    cabin_id: int = 0
    time_zone: str = ""  # the cabin's when booked; "" for older reservations


@dataclass(frozen=True)
class Balance:
    """A reservation's money as the bot tells its guest about it (minor units)."""

    paid_minor: int  # approved payments, before refunds
    due_minor: int  # still to pay; 0 once cancelled
    currency: str
    payment_url: str = ""  # the balance's link, when it is collected online and something is due
    refund_now_minor: int = 0  # what cancelling now would give back
    refund_percent: int = 0  # the policy's share of what was paid, for cancelling now
    days_before: int = 0  # from today to check-in, in the cabin's time zone
    refunding_minor: int = 0  # refunds asked so far (given back or on their way)


@dataclass(frozen=True)
class BookingEvent:
    id: int  # the stream's cursor
    type: str  # "reservation.confirmed", ...
    traceparent: str
    reservation: Held | None
    previous_stay: tuple[date, date] | None = None  # reservation.dates_changed: the nights it had
    conflict_source: str = ""  # reservation.conflict: the channel whose block overlaps it ("airbnb", ...)
    actor: str = ""  # reservation.confirmed / .cancelled: who ("payments", "guest", "user:<id>", ...),
    reason: str = ""  # and why


@dataclass(frozen=True)
class PaymentEvent:
    id: int
    type: str  # "payment.rejected", "payment.refunded", "refund.failed", "refund.by_hand", ...
    traceparent: str
    reservation_code: str
    refunded_minor: int = 0  # how much of the payment went back in all
    currency: str = "ARS"
    refund_minor: int = 0  # the refund it is about; 0: none (one made in Mercado Pago's panel)
    settled: bool = False  # that refund was given back by hand
    issue: str = ""  # the payment's issue now (payment.issue: "duplicate_payment", "charged_back", ...)
    amount_minor: int = 0  # the payment's amount


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

    async def balance(self, code: str) -> Balance | None:
        """What was paid, what is due and what cancelling now gives back; None when payments
        did not answer (the bot says less, never something wrong)."""
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

    async def cabin(self, cabin_id: int) -> Cabin | None:
        """The cabin, active or not (a paused cabin's guests are still told); None when there is none."""
        ...

    async def balance(self, code: str) -> Balance | None:
        """As Backend.balance: None when payments did not answer."""
        ...


@dataclass(frozen=True)
class Member:
    """A user of the team as the alerts see them (accounts); `whatsapp` and `email`: the alerts
    they want on each channel, by accounts' names ("new_booking", "guest_waiting", ...)."""

    id: int
    name: str
    email: str
    phone: str  # digits, no "+"; "" when not given
    role: str  # "owner", "staff", "viewer"
    whatsapp: frozenset[str] = frozenset()
    email_alerts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FeedState:
    """A channel's iCal feed as the alerts see it (calendar)."""

    id: int
    cabin_id: int
    source: str  # "airbnb", "booking", ...
    failing: bool  # its last sync failed
    last_success_at: datetime | None  # None: never synced
    created_at: datetime
    error: str = ""


class Team(Protocol):
    async def members(self) -> list[Member]:
        """Every active user, read fresh (a role or a preference changed counts at once)."""
        ...


class Calendars(Protocol):
    async def feeds(self) -> list[FeedState]: ...


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
    team: Team
    calendars: Calendars
