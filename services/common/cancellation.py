"""Cancellation policies: how much of what was paid a cancellation gives back.

A policy is a list of rules "cancelled at least `days_before` days before check-in → `percent` %
of what was paid"; the rule with the most days that the cancellation meets applies, none → 0 %.
Days count in the cabin's time zone, by calendar date: cancelling on the 1st for a check-in on
the 16th is 15 days before, whatever the hour. Transport-free; the reservation keeps a copy of
its cabin's policy as it was when booked, so a later change does not touch existing bookings.
Booking validates and copies policies, payments turns one into a refund, messaging and the
console tell it to people (`describe`).
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.common.errors import invalid

MAX_RULES = 10
MAX_DAYS = 365


@dataclass(frozen=True, order=True)
class Rule:
    days_before: int
    percent: int


# ≥ 15 days → 100 %, 7–14 days → 50 %, under 7 days → nothing.
DEFAULT_POLICY: tuple[Rule, ...] = (Rule(15, 100), Rule(7, 50), Rule(0, 0))


def validated(rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """The rules, most days first; INVALID for an unusable policy (an empty list is the default)."""
    if not rules:
        return DEFAULT_POLICY
    if len(rules) > MAX_RULES:
        raise invalid("INVALID_POLICY", f"Una política tiene como mucho {MAX_RULES} reglas.")
    for rule in rules:
        if not 0 <= rule.days_before <= MAX_DAYS or not 0 <= rule.percent <= 100:
            raise invalid("INVALID_POLICY", f"Cada regla va de 0 a {MAX_DAYS} días y de 0 a 100 %.")
    ordered = tuple(sorted(rules, reverse=True))
    if len({rule.days_before for rule in ordered}) != len(ordered):
        raise invalid("INVALID_POLICY", "Dos reglas no pueden tener los mismos días.")
    if any(later.percent > earlier.percent for earlier, later in itertools.pairwise(ordered)):
        raise invalid("INVALID_POLICY", "Cancelar más cerca de la fecha no puede devolver más.")
    return ordered


def days_before(check_in: date, at: datetime, zone: ZoneInfo) -> int:
    """Whole calendar days from the cancellation's local date to check-in (negative once it began)."""
    return (check_in - at.astimezone(zone).date()).days


def refund_percent(rules: Sequence[Rule], check_in: date, at: datetime, zone: ZoneInfo) -> int:
    days = days_before(check_in, at, zone)
    return next((rule.percent for rule in validated(rules) if days >= rule.days_before), 0)


def refund_minor(paid_minor: int, percent: int) -> int:
    """`percent` % of what was paid, rounded down to the centavo (never more than was paid)."""
    return paid_minor * percent // 100


def _bands(rules: Sequence[Rule]) -> list[tuple[int, int | None, int]]:
    """(first day, last day or None, percent) from the most days down, equal neighbours merged."""
    ordered = validated(rules)
    bands: list[tuple[int, int | None, int]] = []
    upper: int | None = None
    for rule in ordered:
        bands.append((rule.days_before, upper, rule.percent))
        upper = rule.days_before - 1
    if upper is not None and upper >= 0:
        bands.append((0, upper, 0))
    merged: list[tuple[int, int | None, int]] = []
    for low, high, percent in bands:
        if merged and merged[-1][2] == percent:
            high = merged.pop()[1]
        merged.append((low, high, percent))
    return merged


def _days(low: int, high: int | None) -> str:
    if high is None:
        return f"con {low} día{'s' if low > 1 else ''} o más de anticipación" if low else "en cualquier momento"
    if low == 0:
        return f"con menos de {high + 1} día{'s' if high else ''}"
    return f"con {low} día{'s' if low > 1 else ''}" if low == high else f"de {low} a {high} días"


def describe(rules: Sequence[Rule]) -> str:
    """The policy in a sentence for guests and owners (es-AR): "Si cancelás con 15 días o más de
    anticipación te devolvemos el 100 % de lo que pagaste; de 7 a 14 días, el 50 %; con menos de 7
    días, nada."."""
    (low, high, percent), *rest = _bands(rules)
    share = f"te devolvemos el {percent} % de lo que pagaste" if percent else "no te devolvemos lo que pagaste"
    parts = [f"Si cancelás {_days(low, high)} {share}"]
    parts += [f"{_days(low, high)}, {f'el {percent} %' if percent else 'nada'}" for low, high, percent in rest]
    return "; ".join(parts) + "."
