"""Argentina's long weekends: runs of three or more days off (Saturdays, Sundays and the
national holidays, "feriados puente" and "días no laborables con fines turísticos" included),
from the `holidays` package's calendar, which follows the decrees year by year."""

from datetime import MAXYEAR, date, timedelta
from functools import cache

import holidays

# The public calendar: national holidays, bridge days ("Feriado con fines turísticos"), Jueves
# Santo. Bank and government days off are not everybody's.
_CATEGORIES = ("public",)


@cache
def days_off(year: int) -> dict[date, str]:
    """Holidays of `year` by date, with their Spanish names ("Lunes de Carnaval")."""
    return dict(holidays.country_holidays("AR", years=year, categories=_CATEGORIES, language="es").items())


def is_off(day: date) -> bool:
    return day.weekday() >= 5 or day in days_off(day.year)


@cache
def runs(year: int) -> tuple[tuple[date, date], ...]:
    """The long weekends that start in `year`: (first day off, last day off), three days or more."""
    found: list[tuple[date, date]] = []
    day = date(year, 1, 1)
    while day.year == year and year < MAXYEAR:  # a run may end in the next year: none after 9999
        if is_off(day) and not is_off(day - timedelta(days=1)):
            last = day
            while is_off(last + timedelta(days=1)):
                last += timedelta(days=1)
            if (last - day).days >= 2:
                found.append((day, last))
            day = last
        day += timedelta(days=1)
    return tuple(found)


def next_run(today: date, month: int | None = None, holiday: str = "") -> tuple[date, date] | None:
    """The next long weekend not over yet (today inside one: from today), in `month` when given,
    or the one around a holiday whose name contains `holiday` ("Carnaval"); None within a year."""
    for year in (today.year, today.year + 1):
        for first, last in runs(year):
            if last <= today or (month and first.month != month and last.month != month):
                continue
            if holiday and not any(holiday in days_off(d.year).get(d, "") for d in _span(first, last)):
                continue
            return max(first, today), last
    return None


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
