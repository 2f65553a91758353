"""What /hoy shows, from the reservations around today: who arrives, who leaves, who is staying,
and which holds run out soon; and above them what needs the owner (guests waiting for a person,
payments to refund, refunds that failed or are the owner's to give by hand, money taken back
outside the system, iCal conflicts, feeds that stopped syncing).
Transport-free: the page converts the services' answers to `Stay`, `Chat`, `PaymentIssue`,
`HandRefund`, `Feed`."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from console.inbox import Chat
from console.present import first_name

# Holds that run out within this many hours are listed (a hold lives 30 minutes by default).
HOLDS_AHEAD = timedelta(hours=6)


@dataclass(frozen=True)
class Stay:
    code: str
    guest: str
    phone: str
    cabin: str
    check_in: date
    check_out: date
    nights: int
    confirmed: bool  # False: a hold waiting for its deposit
    total_minor: int | None  # None: not shown (a viewer)
    paid_minor: int | None = None  # approved payments; None: none recorded (confirmed by hand) or not shown
    expires_at: datetime | None = None  # a hold's end

    @property
    def by_hand(self) -> bool:
        """Confirmed without a payment on record: someone confirmed it by hand."""
        return self.confirmed and self.total_minor is not None and self.paid_minor is None

    @property
    def balance_minor(self) -> int | None:
        if self.total_minor is None or self.paid_minor is None:
            return None
        return max(0, self.total_minor - self.paid_minor)


@dataclass
class Today:
    day: date
    arrivals: list[Stay] = field(default_factory=list)
    departures: list[Stay] = field(default_factory=list)
    staying: list[Stay] = field(default_factory=list)
    holds: list[Stay] = field(default_factory=list)


def for_viewer(stay: Stay) -> Stay:
    """A stay as a viewer may see it: the guest's first name, no phone, no money."""
    return replace(stay, guest=first_name(stay.guest), phone="", total_minor=None, paid_minor=None)


def today_of(stays: Iterable[Stay], day: date, now: datetime) -> Today:
    """Confirmed stays that touch `day`, and holds still open that run out within HOLDS_AHEAD."""
    result = Today(day)
    for stay in stays:
        if not stay.confirmed:
            if stay.expires_at is not None and now < stay.expires_at <= now + HOLDS_AHEAD:
                result.holds.append(stay)
        elif stay.check_in == day:
            result.arrivals.append(stay)
        elif stay.check_out == day:
            result.departures.append(stay)
        elif stay.check_in < day < stay.check_out:
            result.staying.append(stay)
    result.holds.sort(key=lambda stay: stay.expires_at or now)
    for rows in (result.arrivals, result.departures, result.staying):
        rows.sort(key=lambda stay: (stay.cabin, stay.guest))
    return result


# A feed counts as failing when its last sync failed or nothing synced for this long (syncs run
# every few minutes, ICAL_SYNC_INTERVAL_SECONDS): its blocks may be stale, a double booking waits.
FEED_STALE = timedelta(hours=6)
# A chargeback or a refund made in Mercado Pago's panel is money gone, nothing to do but know (and
# maybe ask the guest): it is listed for a month. A refund the owner gives by hand is listed until
# they record it given ("Ya lo devolví").
CHARGEBACK_SHOWN = timedelta(days=30)
KNOWN_FOR_A_MONTH = ("charged_back", "refunded_outside")
# Each one the owner must act on.
PAYMENT_ISSUES = ("paid_but_unavailable", "duplicate", "refund_failed", *KNOWN_FOR_A_MONTH)


@dataclass(frozen=True)
class PaymentIssue:
    """A payment with one of PAYMENT_ISSUES (a refund to make, or a chargeback)."""

    issue: str
    code: str  # the reservation
    amount_minor: int
    at: datetime | None  # its last notification


@dataclass(frozen=True)
class HandRefund:
    """Money a cancellation gives back that was paid in cash or by transfer: the owner returns it."""

    code: str  # the reservation
    guest: str
    amount_minor: int
    at: datetime | None  # when it was asked


@dataclass(frozen=True)
class Conflict:
    """A channel's block over one of our reservations: one of them must move."""

    code: str
    cabin: str
    source: str
    check_in: date
    check_out: date


@dataclass(frozen=True)
class Feed:
    cabin: str
    source: str
    failed: bool  # the last attempt failed
    error: str
    last_success: datetime | None
    created: datetime | None
    conflicts: tuple[Conflict, ...] = ()

    def failing(self, now: datetime) -> bool:
        synced = self.last_success or self.created
        return self.failed or (synced is not None and now - synced > FEED_STALE)


@dataclass
class Attention:
    waiting: list[Chat] = field(default_factory=list)
    payments: list[PaymentIssue] = field(default_factory=list)
    refunds: list[HandRefund] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    feeds: list[Feed] = field(default_factory=list)  # failing
    unchecked: list[str] = field(default_factory=list)  # services that did not answer: "messages", ...

    @property
    def found(self) -> bool:
        return any((self.waiting, self.payments, self.refunds, self.conflicts, self.feeds))

    def __bool__(self) -> bool:
        return self.found or bool(self.unchecked)


def attention_of(
    waiting: Iterable[Chat],
    payments: Iterable[PaymentIssue],
    feeds: Iterable[Feed],
    now: datetime,
    refunds: Iterable[HandRefund] = (),
) -> Attention:
    """What needs the owner: the longest wait first, payments and refunds newest first, conflicts by date."""
    listed = list(feeds)
    result = Attention(
        waiting=sorted((chat for chat in waiting if chat.waiting_since), key=lambda chat: chat.waiting_since or now),
        payments=[payment for payment in payments if _open(payment, now)],
        refunds=sorted(
            (r for r in refunds if r.at is not None and now - r.at <= CHARGEBACK_SHOWN),
            key=lambda r: r.at or now,
            reverse=True,
        ),
        conflicts=sorted((c for feed in listed for c in feed.conflicts), key=lambda c: (c.check_in, c.cabin)),
        feeds=[feed for feed in listed if feed.failing(now)],
    )
    result.payments.sort(key=lambda payment: payment.at or now, reverse=True)
    return result


def _open(payment: PaymentIssue, now: datetime) -> bool:
    if payment.issue in KNOWN_FOR_A_MONTH:
        return payment.at is not None and now - payment.at <= CHARGEBACK_SHOWN
    return payment.issue in PAYMENT_ISSUES
