"""Prices and stay rules of a cabin: one function prices availability answers,
quotes and holds alike.

A night is priced by the season it falls in (a fixed nightly price or a
percentage of the base price), then by the weekend multiplier when it starts on
a weekend night (Friday and Saturday by default). Amounts are integer minor
units; each percentage is rounded half up to the minor unit. The deposit is
rounded *up* to a whole currency unit, so it is never below its percentage.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from services.common.errors import invalid


@dataclass(frozen=True)
class Season:
    name: str
    start: date  # first night included
    end: date  # first night excluded
    nightly_price_minor: int | None = None
    multiplier_percent: int | None = None
    min_nights: int = 0

    def covers(self, night: date) -> bool:
        return self.start <= night < self.end


@dataclass(frozen=True)
class Rules:
    base_price_minor: int
    currency: str = "ARS"
    capacity: int = 2
    weekend_multiplier_percent: int = 100
    weekend_nights: frozenset[int] = frozenset({5, 6})  # ISO weekday: Friday, Saturday
    seasons: tuple[Season, ...] = ()
    min_nights: int = 1
    max_nights: int = 30
    deposit_percent: int = 30


@dataclass(frozen=True)
class NightPrice:
    night: date
    price_minor: int
    season: str = ""
    weekend: bool = False


@dataclass(frozen=True)
class Quote:
    check_in: date
    check_out: date
    currency: str
    deposit_percent: int
    min_nights: int
    breakdown: tuple[NightPrice, ...] = field(default_factory=tuple)

    @property
    def nights(self) -> int:
        return len(self.breakdown)

    @property
    def total_minor(self) -> int:
        return sum(n.price_minor for n in self.breakdown)

    @property
    def deposit_minor(self) -> int:
        return deposit(self.total_minor, self.deposit_percent)


def deposit(total_minor: int, percent: int) -> int:
    """The deposit of a total: up to a whole unit, never above the total."""
    exact = _percent(total_minor, percent)
    return min(-(-exact // 100) * 100, total_minor)


def _percent(amount: int, percent: int) -> int:
    return (amount * percent + 50) // 100


def nights_between(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]


def price_night(rules: Rules, night: date) -> NightPrice:
    season = next((s for s in rules.seasons if s.covers(night)), None)
    price = rules.base_price_minor
    if season and season.nightly_price_minor is not None:
        price = season.nightly_price_minor
    elif season and season.multiplier_percent is not None:
        price = _percent(price, season.multiplier_percent)
    weekend = night.isoweekday() in rules.weekend_nights
    if weekend:
        price = _percent(price, rules.weekend_multiplier_percent)
    return NightPrice(night, price, season.name if season else "", weekend)


def min_nights_for(rules: Rules, check_in: date, check_out: date) -> int:
    """The strictest minimum among the cabin's and the seasons the stay touches."""
    nights = nights_between(check_in, check_out)
    touched = [s.min_nights for s in rules.seasons if any(s.covers(n) for n in nights)]
    return max([rules.min_nights, *touched])


def without_minimum(rules: Rules) -> Rules:
    """The rules with no minimum stay, the cabin's nor any season's."""
    return replace(rules, min_nights=1, seasons=tuple(replace(s, min_nights=0) for s in rules.seasons))


def quote(rules: Rules, check_in: date, check_out: date, guests: int) -> Quote:
    """Price a stay, refusing one the cabin's rules do not allow."""
    if check_in >= check_out:
        raise invalid("INVALID_RANGE", "La fecha de salida tiene que ser posterior a la de llegada.")
    if guests < 1:
        raise invalid("INVALID_GUESTS", "Tiene que haber al menos un huésped.")
    if guests > rules.capacity:
        raise invalid(
            "CAPACITY_EXCEEDED", f"La cabaña es para hasta {rules.capacity} personas.", capacity=str(rules.capacity)
        )
    nights = (check_out - check_in).days
    minimum = min_nights_for(rules, check_in, check_out)
    if nights < minimum:
        raise invalid("MIN_NIGHTS", f"La estadía mínima es de {minimum} noches.", min_nights=str(minimum))
    if nights > rules.max_nights:
        raise invalid(
            "MAX_NIGHTS", f"La estadía máxima es de {rules.max_nights} noches.", max_nights=str(rules.max_nights)
        )
    breakdown = tuple(price_night(rules, n) for n in nights_between(check_in, check_out))
    return Quote(check_in, check_out, rules.currency, rules.deposit_percent, minimum, breakdown)
