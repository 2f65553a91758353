"""What /hoy shows, from the reservations around today: who arrives, who leaves, who is staying,
and which holds run out soon. Transport-free: the page converts the services' answers to `Stay`."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

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
