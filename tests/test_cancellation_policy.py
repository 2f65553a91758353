"""Cancellation policies at their boundaries, in the cabin's time zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.common.cancellation import (
    DEFAULT_POLICY,
    Rule,
    days_before,
    describe,
    refund_minor,
    refund_percent,
    validated,
)
from services.common.errors import DomainError

AR = ZoneInfo("America/Argentina/Buenos_Aires")  # UTC-3, no DST
CHECK_IN = date(2026, 1, 16)


def _at(local_day: date, hour: int) -> datetime:
    return datetime(local_day.year, local_day.month, local_day.day, hour, tzinfo=AR).astimezone(UTC)


@pytest.mark.parametrize(
    ("days", "percent"),
    [(60, 100), (16, 100), (15, 100), (14, 50), (8, 50), (7, 50), (6, 0), (1, 0), (0, 0), (-2, 0)],
)
def test_the_default_policy_at_its_boundaries(days: int, percent: int) -> None:
    for hour in (0, 12, 23):  # the date counts, not the hour
        assert refund_percent(DEFAULT_POLICY, CHECK_IN, _at(CHECK_IN - timedelta(days=days), hour), AR) == percent


def test_days_count_in_the_cabins_zone_not_in_utc() -> None:
    # 23:30 in Argentina on Jan 1st is already Jan 2nd in UTC: still 15 days before, all back.
    late = datetime(2026, 1, 2, 2, 30, tzinfo=UTC)
    assert days_before(CHECK_IN, late, AR) == 15
    assert refund_percent(DEFAULT_POLICY, CHECK_IN, late, AR) == 100
    assert days_before(CHECK_IN, late, ZoneInfo("Europe/Madrid")) == 14


def test_an_owners_policy_is_read_most_days_first() -> None:
    rules = [Rule(3, 20), Rule(30, 100), Rule(10, 70)]
    assert validated(rules) == (Rule(30, 100), Rule(10, 70), Rule(3, 20))
    expected = {45: 100, 30: 100, 29: 70, 10: 70, 9: 20, 3: 20, 2: 0}
    for days, percent in expected.items():
        assert refund_percent(rules, CHECK_IN, _at(CHECK_IN - timedelta(days=days), 10), AR) == percent, days
    assert validated([]) == DEFAULT_POLICY


@pytest.mark.parametrize(
    "rules",
    [
        [Rule(10, 101)],
        [Rule(-1, 50)],
        [Rule(400, 50)],
        [Rule(10, 50), Rule(10, 60)],
        [Rule(10, 50), Rule(3, 80)],  # nearer the date may not give back more
        [Rule(day, 0) for day in range(11)],
    ],
)
def test_unusable_policies_are_refused(rules: list[Rule]) -> None:
    with pytest.raises(DomainError) as refused:
        validated(rules)
    assert refused.value.reason == "INVALID_POLICY"


def test_refunds_round_down_to_the_centavo() -> None:
    assert refund_minor(2_550_001, 50) == 1_275_000
    assert refund_minor(2_550_000, 100) == 2_550_000
    assert refund_minor(2_550_000, 0) == 0


@pytest.mark.parametrize(
    ("rules", "sentence"),
    [
        (
            DEFAULT_POLICY,
            "Si cancelás con 15 días o más de anticipación te devolvemos el 100 % de lo que pagaste; "
            "de 7 a 14 días, el 50 %; con menos de 7 días, nada.",
        ),
        (
            [Rule(30, 100), Rule(10, 70), Rule(3, 20)],
            "Si cancelás con 30 días o más de anticipación te devolvemos el 100 % de lo que pagaste; "
            "de 10 a 29 días, el 70 %; de 3 a 9 días, el 20 %; con menos de 3 días, nada.",
        ),
        ([Rule(0, 100)], "Si cancelás en cualquier momento te devolvemos el 100 % de lo que pagaste."),
        ([Rule(2, 0)], "Si cancelás en cualquier momento no te devolvemos lo que pagaste."),
        (
            [Rule(7, 100), Rule(6, 50)],
            "Si cancelás con 7 días o más de anticipación te devolvemos el 100 % de lo que pagaste; "
            "con 6 días, el 50 %; con menos de 6 días, nada.",
        ),
        (
            [Rule(10, 100), Rule(1, 100)],  # equal neighbours read as one
            "Si cancelás con 1 día o más de anticipación te devolvemos el 100 % de lo que pagaste; "
            "con menos de 1 día, nada.",
        ),
    ],
)
def test_a_policy_is_told_in_one_sentence(rules: list[Rule], sentence: str) -> None:
    assert describe(rules) == sentence
