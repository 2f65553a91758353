"""The cabin form of /cabanas <-> booking's Accommodation, money in pesos as people type it.

Transport-free: a posted form (field -> text) becomes an Accommodation and the update-mask paths
the form covers, or a `FormErrors` naming the fields to fix (the template says, per field, what
it expects). What the form does not show (weekend nights, time zone, the map's coordinates)
stays as the cabin has it."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from cabanas.v1 import booking_pb2, common_pb2
from console.present import parse_pesos, pesos
from services.common.cancellation import MAX_DAYS, MAX_RULES, Rule
from services.common.pb import day, range_pb

CURRENCY = "ARS"
ANSWERS = tuple(booking_pb2.GuestInfo.DESCRIPTOR.fields_by_name)  # the bot's answers, one textarea each
# GuestMessages' fields in the order of the stay: the owner's words in the guest's journey.
WORDS = ("confirmed_note", "keys", "arrival_note", "departure_note", "review_url")
LOCATION = ("address", "city", "province", "maps_url")
EMPTY_SEASONS = 2  # blank season rows under the cabin's own
MAX_ANSWER = 1000  # booking's limit for one answer
MAX_DESCRIPTION = 4000
MAX_NAME = 120
MAX_PERCENT = 1000
MAX_STAY = 365
# The paths an edit writes: everything the form shows, nothing else.
PATHS = (
    "name",
    "description",
    "capacity",
    "base_nightly_price",
    "weekend_multiplier_percent",
    "seasons",
    "min_nights",
    "max_nights",
    "deposit_percent",
    "check_in_time",
    "check_out_time",
    "amenities",
    "photos",
    "location",
    "guest_info",
    "active",
    "cancellation_rules",
    "balance_on_arrival",
    "guest_messages",
)
SEASON_PARTS = ("name", "start", "end", "price", "min_nights")
MAX_SEASONS = 40
_SEASON_KEY = re.compile(r"season-(\d{1,2})-(?:name|start|end|price|min_nights)")
EMPTY_RULES = 2  # blank policy rows under the cabin's own
MIN_RULE_ROWS = 3  # as many as the default policy has, to write one like it from scratch
_RULE_KEY = re.compile(r"rule-(\d{1,2})-(?:days|percent)")
BALANCE = ("online", "arrival")  # how the balance after the deposit is collected
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_LIST_SEPARATORS = re.compile(r"[,\n]")
_URL = re.compile(r"https?://\S+")


class FormErrors(Exception):
    """The fields to fix, by their form name ("capacity", "season-1", "info-pets")."""

    def __init__(self, fields: set[str]) -> None:
        super().__init__(", ".join(sorted(fields)))
        self.fields = fields


@dataclass(frozen=True)
class Cabin:
    """One row of the /cabanas list."""

    id: int
    name: str
    capacity: int
    price: str  # "$85.000"
    active: bool


def row(cabin: booking_pb2.Accommodation) -> Cabin:
    return Cabin(cabin.id, cabin.name, cabin.capacity, pesos(cabin.base_nightly_price.amount_minor), cabin.active)


def _season_values(season: booking_pb2.SeasonalRate) -> dict[str, str]:
    if season.WhichOneof("price") == "multiplier_percent":
        price = f"{season.multiplier_percent} %"
    else:
        price = pesos(season.nightly_price.amount_minor)
    return {
        "name": season.name,
        "start": day(season.range.start).isoformat(),
        "end": day(season.range.end).isoformat(),
        "price": price,
        "min_nights": str(season.min_nights or ""),
    }


def values(cabin: booking_pb2.Accommodation) -> dict[str, str]:
    """The form's inputs filled with `cabin` (a new one: booking's defaults)."""
    filled = {
        "name": cabin.name,
        "description": cabin.description,
        "capacity": str(cabin.capacity or ""),
        "base_price": pesos(cabin.base_nightly_price.amount_minor) if cabin.base_nightly_price.amount_minor else "",
        "weekend_percent": str(cabin.weekend_multiplier_percent or 100),
        "min_nights": str(cabin.min_nights or 1),
        "max_nights": str(cabin.max_nights or 30),
        "deposit_percent": str(cabin.deposit_percent if cabin.id else 30),
        "check_in_time": cabin.check_in_time or "14:00",
        "check_out_time": cabin.check_out_time or "10:00",
        "amenities": ", ".join(cabin.amenities),
        "photos": "\n".join(cabin.photos),
        "active": "on" if cabin.active or not cabin.id else "",
        "balance": "arrival" if cabin.balance_on_arrival else "online",
    }
    filled |= {name: getattr(cabin.location, name) for name in LOCATION}
    filled |= {f"info-{name}": getattr(cabin.guest_info, name) for name in ANSWERS}
    filled |= {f"words-{name}": getattr(cabin.guest_messages, name) for name in WORDS}
    for index, season in enumerate(cabin.seasons):
        filled |= {f"season-{index}-{key}": text for key, text in _season_values(season).items()}
    for index, rule in enumerate(cabin.cancellation_rules):
        filled |= {f"rule-{index}-days": str(rule.days_before), f"rule-{index}-percent": str(rule.percent)}
    return filled


def rules_of(cabin: booking_pb2.Accommodation) -> list[Rule]:
    """The cabin's own cancellation policy (none: the default applies)."""
    return [Rule(rule.days_before, rule.percent) for rule in cabin.cancellation_rules]


def _rule_indices(form: Mapping[str, str]) -> list[int]:
    return sorted({int(m.group(1)) for key in form if (m := _RULE_KEY.fullmatch(key))})[:MAX_RULES]


def rule_rows(form: Mapping[str, str]) -> int:
    """How many policy rows to show: up to the last one with something in it, and EMPTY_RULES blank ones."""
    used = [
        i
        for i in _rule_indices(form)
        if form.get(f"rule-{i}-days", "").strip() or form.get(f"rule-{i}-percent", "").strip()
    ]
    return max((max(used) + 1 if used else 0) + EMPTY_RULES, MIN_RULE_ROWS)


def _season_indices(form: Mapping[str, str]) -> list[int]:
    """The season rows the form has, by index (a bounded number: a form is not a bulk import)."""
    return sorted({int(m.group(1)) for key in form if (m := _SEASON_KEY.fullmatch(key))})[:MAX_SEASONS]


def season_rows(form: Mapping[str, str]) -> int:
    """How many season rows to show: up to the last one with something in it, and EMPTY_SEASONS blank ones."""
    used = [i for i in _season_indices(form) if any(form.get(f"season-{i}-{p}", "").strip() for p in SEASON_PARTS)]
    return (max(used) + 1 if used else 0) + EMPTY_SEASONS


class _Reader:
    """Reads the form's fields, noting which ones are wrong instead of stopping at the first."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form, self.wrong = form, set[str]()

    def text(self, name: str, limit: int, required: bool = False) -> str:
        value = self.form.get(name, "").strip()
        if len(value) > limit or (required and not value):
            self.wrong.add(name)
        return value

    def number(self, name: str, low: int, high: int, blank: int | None = None) -> int:
        value = self.form.get(name, "").strip().rstrip("%").strip()
        if not value and blank is not None:
            return blank
        if not value.isdigit() or not low <= int(value) <= high:
            self.wrong.add(name)
            return low
        return int(value)

    def money(self, name: str) -> int:
        try:
            amount = parse_pesos(self.form.get(name, ""))
        except ValueError:
            amount = 0
        if amount <= 0:
            self.wrong.add(name)
        return amount

    def time(self, name: str) -> str:
        value = self.form.get(name, "").strip()
        if not _TIME.fullmatch(value):
            self.wrong.add(name)
        return value

    def urls(self, name: str, lines: bool) -> list[str]:
        found = [u.strip() for u in self.form.get(name, "").splitlines()] if lines else [self.form.get(name, "")]
        found = [u.strip() for u in found if u.strip()]
        if any(not _URL.fullmatch(u) or len(u) > 2000 for u in found):
            self.wrong.add(name)
        return found

    def rule(self, index: int) -> booking_pb2.CancellationRule | None:
        """Policy row `index` ("at least N days before → P %"), None when blank; a half-filled or
        wrong row marks `rule-<index>`. Whether the rules make a policy together is booking's call."""
        key = f"rule-{index}"
        days = self.form.get(f"{key}-days", "").strip()
        percent = self.form.get(f"{key}-percent", "").strip().rstrip("%").strip()
        if not days and not percent:
            return None
        if not (days.isdigit() and percent.isdigit() and int(days) <= MAX_DAYS and int(percent) <= 100):
            self.wrong.add(key)
            return None
        return booking_pb2.CancellationRule(days_before=int(days), percent=int(percent))

    def season(self, index: int) -> booking_pb2.SeasonalRate | None:
        """Row `index`, or None when it is blank; a half-filled or wrong row marks `season-<index>`."""
        key = f"season-{index}"
        cells = {part: self.form.get(f"{key}-{part}", "").strip() for part in SEASON_PARTS}
        if not any(cells.values()):
            return None
        season = booking_pb2.SeasonalRate(name=cells["name"])
        try:
            start, end = date.fromisoformat(cells["start"]), date.fromisoformat(cells["end"])
            season.range.CopyFrom(range_pb(start, end))
            price = cells["price"]
            if price.endswith("%"):
                season.multiplier_percent = int(price.rstrip("% "))
            else:
                season.nightly_price.CopyFrom(common_pb2.Money(amount_minor=parse_pesos(price), currency=CURRENCY))
            season.min_nights = int(cells["min_nights"] or 0)
        except ValueError:
            self.wrong.add(key)
            return None
        percent = season.multiplier_percent
        bad_price = (season.WhichOneof("price") == "nightly_price" and not season.nightly_price.amount_minor) or (
            season.WhichOneof("price") == "multiplier_percent" and not 0 < percent <= MAX_PERCENT
        )
        if not 0 < len(season.name) <= 80 or start >= end or bad_price or not 0 <= season.min_nights <= MAX_STAY:
            self.wrong.add(key)
        return season


def accommodation(form: Mapping[str, str], current: booking_pb2.Accommodation) -> booking_pb2.Accommodation:
    """The cabin the form describes, over `current` (an empty one for a new cabin); FormErrors when
    a field is wrong (nothing is half-read: every wrong field is named at once)."""
    read = _Reader(form)
    cabin = booking_pb2.Accommodation(
        name=read.text("name", MAX_NAME, required=True),
        description=read.text("description", MAX_DESCRIPTION),
        capacity=read.number("capacity", 1, 50),
        base_nightly_price=common_pb2.Money(amount_minor=read.money("base_price"), currency=CURRENCY),
        weekend_multiplier_percent=read.number("weekend_percent", 1, MAX_PERCENT),
        min_nights=read.number("min_nights", 1, MAX_STAY),
        max_nights=read.number("max_nights", 1, MAX_STAY),
        deposit_percent=read.number("deposit_percent", 0, 100),
        check_in_time=read.time("check_in_time"),
        check_out_time=read.time("check_out_time"),
        amenities=[a.strip() for a in _LIST_SEPARATORS.split(read.text("amenities", 2000)) if a.strip()],
        photos=read.urls("photos", lines=True),
        active=form.get("active") == "on",
    )
    if cabin.max_nights < cabin.min_nights:
        read.wrong.add("max_nights")
    seasons = (read.season(i) for i in _season_indices(form))
    cabin.seasons.extend(s for s in seasons if s is not None)
    rules = (read.rule(i) for i in _rule_indices(form))
    cabin.cancellation_rules.extend(r for r in rules if r is not None)
    balance = form.get("balance", "online")
    if balance not in BALANCE:
        read.wrong.add("balance")
    cabin.balance_on_arrival = balance == "arrival"
    cabin.location.CopyFrom(current.location)  # keeps the map's coordinates the form does not show
    for name in ("address", "city", "province"):
        setattr(cabin.location, name, read.text(name, 200))
    cabin.location.maps_url = next(iter(read.urls("maps_url", lines=False)), "")
    for name in ANSWERS:
        setattr(cabin.guest_info, name, read.text(f"info-{name}", MAX_ANSWER))
    for name in WORDS:
        if name != "review_url":  # a link, read as one below
            setattr(cabin.guest_messages, name, read.text(f"words-{name}", MAX_ANSWER))
    cabin.guest_messages.review_url = next(iter(read.urls("words-review_url", lines=False)), "")
    if read.wrong:
        raise FormErrors(read.wrong)
    return cabin
