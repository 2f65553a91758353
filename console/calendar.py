"""What /calendario shows: one month per cabin, week rows from Monday, each night marked with what
holds it (a confirmed stay, a hold waiting for its deposit, the owner's block, a channel's block),
and under it the list of those stays. Transport-free: the page converts the services' answers to
`Busy`. A cell is a night: a stay from the 5th to the 8th holds the 5th, 6th and 7th."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from console.present import first_name

KINDS = ("confirmed", "hold", "owner", "channel")  # what can hold a night, in the legend's order
OWNER = "owner"  # booking's external_source of the owner's own blocks


@dataclass(frozen=True)
class Busy:
    """Something that holds nights of a cabin."""

    code: str
    cabin_id: int
    check_in: date
    check_out: date
    kind: str  # one of KINDS
    source: str = ""  # a channel block's calendar: airbnb, booking, vrbo, other
    guest: str = ""  # stays only
    reason: str = ""  # the owner's blocks only

    def holds(self, night: date) -> bool:
        return self.check_in <= night < self.check_out


def kind_of(status: str, external_source: str) -> str:
    """The kind of a holding reservation (status pre_reserved, confirmed or blocked)."""
    if status == "blocked":
        return "owner" if external_source == OWNER else "channel"
    return "confirmed" if status == "confirmed" else "hold"


def for_viewer(busy: Busy) -> Busy:
    """What a viewer (the cleaning team) sees: the guest's first name."""
    return replace(busy, guest=first_name(busy.guest))


@dataclass(frozen=True)
class Night:
    day: date
    busy: Busy | None
    starts: bool  # the first night of `busy` (or the month's first night it holds)
    past: bool


@dataclass(frozen=True)
class CabinMonth:
    cabin_id: int
    name: str
    weeks: list[list[Night | None]]  # Monday to Sunday; None pads the month's first and last week
    stays: list[Busy]  # what holds nights this month, by date


@dataclass(frozen=True)
class Month:
    first: date
    previous: date
    next: date
    cabins: list[CabinMonth]


def month_of(text: str, today: date) -> date:
    """The first day of "YYYY-MM"; this month for anything else."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _next(first: date) -> date:
    return (first + timedelta(days=31)).replace(day=1)


def _previous(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _weeks(nights: list[Night]) -> list[list[Night | None]]:
    padded: list[Night | None] = [None] * nights[0].day.weekday() + list(nights)
    padded += [None] * (-len(padded) % 7)
    return [padded[i : i + 7] for i in range(0, len(padded), 7)]


def month_grid(first: date, cabins: Iterable[tuple[int, str]], busy: Iterable[Busy], today: date) -> Month:
    """The month starting `first` for each cabin (id, name), with the nights `busy` holds."""
    end = _next(first)
    days = [first + timedelta(days=n) for n in range((end - first).days)]
    found = sorted((b for b in busy if b.check_in < end and first < b.check_out), key=lambda b: b.check_in)
    months = []
    for cabin_id, name in cabins:
        own = [b for b in found if b.cabin_id == cabin_id]
        nights = []
        for day in days:
            holder = next((b for b in own if b.holds(day)), None)
            starts = holder is not None and (holder.check_in == day or day == first)
            nights.append(Night(day, holder, starts, day < today))
        months.append(CabinMonth(cabin_id, name, _weeks(nights), own))
    return Month(first, _previous(first), end, months)
