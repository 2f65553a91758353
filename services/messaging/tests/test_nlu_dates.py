"""The stay extractor (nlu/dates.py) and Argentina's long weekends (nlu/long_weekends.py)."""

from datetime import date

import pytest

from services.messaging.nlu import long_weekends, normalize
from services.messaging.nlu.dates import Stay, stay_of
from services.messaging.nlu.remarks import strip

WEDNESDAY = date(2026, 12, 2)
D = date


def _stay(text: str, today: date = WEDNESDAY, **context: object) -> Stay:
    return stay_of(strip(normalize(text))[0], today, **context)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "check_in", "check_out"),
    [
        ("4/2 al 9/2", D(2027, 2, 4), D(2027, 2, 9)),
        ("del 28 al 2", D(2026, 12, 28), D(2027, 1, 2)),  # the check-out rolls into next month
        ("del 3 al 6 de mar", D(2027, 3, 3), D(2027, 3, 6)),  # a past month means next year
        ("llego el jueves 14 y me voy el domingo 17", D(2027, 1, 14), D(2027, 1, 17)),  # the next Thursday 14th
        ("de sabado a lunes", D(2026, 12, 5), D(2026, 12, 7)),
        ("entre navidad y ano nuevo", D(2026, 12, 24), D(2027, 1, 1)),
        ("la ultima semana de enero", D(2027, 1, 25), D(2027, 2, 1)),
        ("el finde del 20", D(2026, 12, 18), D(2026, 12, 20)),
        ("el finde largo", D(2026, 12, 5), D(2026, 12, 8)),
        ("la semana que viene, 3 noches", D(2026, 12, 7), D(2026, 12, 10)),  # the nights said win
    ],
)
def test_stays(text: str, check_in: date, check_out: date) -> None:
    got = _stay(text)
    assert (got.check_in, got.check_out, got.nights) == (check_in, check_out, (check_out - check_in).days)


def test_a_lone_end_is_a_check_out_after_the_stay_so_far() -> None:
    assert _stay("hasta el 2", stay_start=D(2026, 12, 28), answering_nights=True) == Stay(None, D(2027, 1, 2))
    assert _stay("el 8", stay_start=D(2026, 12, 5), answering_nights=True) == Stay(None, D(2026, 12, 8))
    assert _stay("me voy el domingo") == Stay(None, D(2026, 12, 6))
    assert _stay("el 8") == Stay(D(2026, 12, 8))  # nothing asked: a check-in


def test_corrections_keep_the_new_date_and_say_the_old() -> None:
    assert _stay("no, el 7 no, el 8") == Stay(D(2026, 12, 8), rejected=D(2026, 12, 7))
    # parse.py marks clause breaks: "el 15, no el 14" reaches the dates as below.
    assert _stay("el 15 xpausex no el 14") == Stay(D(2026, 12, 15), rejected=D(2026, 12, 14))
    got = _stay("del 10 al 13 no, del 11 al 14")
    assert (got.check_in, got.check_out, got.rejected) == (D(2026, 12, 11), D(2026, 12, 14), D(2026, 12, 10))


def test_a_month_alone_gives_no_dates() -> None:
    assert _stay("nos vemos en marzo") == Stay(month=3)
    assert _stay("vacaciones de invierno") == Stay(month=7)
    assert _stay("el finde largo de noviembre") == Stay(month=11)  # none in November 2027


def test_long_weekends_follow_the_official_calendar() -> None:
    # 2026: Mon Dec 7 is a "feriado con fines turísticos", Tue Dec 8 a holiday.
    assert long_weekends.next_run(WEDNESDAY) == (D(2026, 12, 5), D(2026, 12, 8))
    assert long_weekends.next_run(WEDNESDAY, holiday="Carnaval") == (D(2027, 2, 6), D(2027, 2, 9))
    assert long_weekends.next_run(D(2026, 7, 1), month=7) == (D(2026, 7, 9), D(2026, 7, 12))  # Jul 10 bridge
    assert long_weekends.next_run(D(2026, 12, 7)) == (D(2026, 12, 7), D(2026, 12, 8))  # inside one: from today
