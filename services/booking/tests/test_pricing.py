"""Pricing and stay rules, pure: weekends, seasons, minimum nights, deposit rounding."""

from datetime import date

import pytest

from services.booking.pricing import Rules, Season, quote
from services.common.errors import DomainError

# 2027-01-01 is a Friday.
RULES = Rules(
    base_price_minor=10_000_00,
    capacity=4,
    weekend_multiplier_percent=120,
    seasons=(
        Season("Temporada alta", date(2027, 1, 10), date(2027, 3, 1), multiplier_percent=150, min_nights=3),
        Season("Semana Santa", date(2027, 3, 25), date(2027, 3, 29), nightly_price_minor=25_000_00, min_nights=2),
    ),
    min_nights=2,
    deposit_percent=30,
)


def test_weekday_nights_at_base_price() -> None:
    q = quote(RULES, date(2027, 1, 4), date(2027, 1, 7), 2)  # Monday to Thursday
    assert [n.price_minor for n in q.breakdown] == [10_000_00] * 3
    assert q.total_minor == 30_000_00 and q.nights == 3


def test_friday_and_saturday_nights_are_weekend() -> None:
    q = quote(RULES, date(2027, 1, 1), date(2027, 1, 4), 2)  # Fri, Sat, Sun nights
    assert [(n.price_minor, n.weekend) for n in q.breakdown] == [
        (12_000_00, True),
        (12_000_00, True),
        (10_000_00, False),
    ]


def test_season_boundary_inside_a_stay() -> None:
    q = quote(RULES, date(2027, 1, 7), date(2027, 1, 12), 2)  # Thu 7 .. Mon 11 nights; season from the 10th
    assert [(n.night.day, n.price_minor, n.season) for n in q.breakdown] == [
        (7, 10_000_00, ""),
        (8, 12_000_00, ""),  # Friday
        (9, 12_000_00, ""),  # Saturday
        (10, 15_000_00, "Temporada alta"),
        (11, 15_000_00, "Temporada alta"),
    ]


def test_weekend_multiplier_applies_on_top_of_a_season() -> None:
    night = quote(RULES, date(2027, 1, 15), date(2027, 1, 18), 2).breakdown[0]  # Friday in high season
    assert (night.price_minor, night.weekend, night.season) == (18_000_00, True, "Temporada alta")


def test_fixed_season_price() -> None:
    q = quote(RULES, date(2027, 3, 25), date(2027, 3, 27), 2)  # Thursday, Friday
    assert [n.price_minor for n in q.breakdown] == [25_000_00, 30_000_00]


def test_minimum_nights_global_and_per_season() -> None:
    with pytest.raises(DomainError) as info:
        quote(RULES, date(2027, 1, 4), date(2027, 1, 5), 2)
    assert info.value.reason == "MIN_NIGHTS" and info.value.details == {"min_nights": "2"}
    quote(RULES, date(2027, 1, 8), date(2027, 1, 10), 2)  # does not touch the season
    with pytest.raises(DomainError) as info:
        quote(RULES, date(2027, 1, 9), date(2027, 1, 11), 2)  # touches high season: 3 nights minimum
    assert info.value.details == {"min_nights": "3"}


def test_deposit_rounds_up_to_a_whole_unit() -> None:
    rules = Rules(base_price_minor=333_33, capacity=2, deposit_percent=30)
    q = quote(rules, date(2027, 2, 1), date(2027, 2, 2), 1)
    assert q.total_minor == 333_33
    assert q.deposit_minor == 100_00  # 30 % = 99.999 -> 100.00
    assert quote(Rules(base_price_minor=50, capacity=1), date(2027, 2, 1), date(2027, 2, 2), 1).deposit_minor == 50


@pytest.mark.parametrize(
    ("check_in", "check_out", "guests", "reason"),
    [
        (date(2027, 1, 5), date(2027, 1, 5), 2, "INVALID_RANGE"),
        (date(2027, 1, 6), date(2027, 1, 4), 2, "INVALID_RANGE"),
        (date(2027, 1, 4), date(2027, 1, 7), 0, "INVALID_GUESTS"),
        (date(2027, 1, 4), date(2027, 1, 7), 5, "CAPACITY_EXCEEDED"),
        (date(2027, 4, 1), date(2027, 6, 1), 2, "MAX_NIGHTS"),
    ],
)
def test_refusals(check_in: date, check_out: date, guests: int, reason: str) -> None:
    with pytest.raises(DomainError) as info:
        quote(RULES, check_in, check_out, guests)
    assert info.value.reason == reason
