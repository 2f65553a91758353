"""iCal parsing as channels write it, and export as RFC 5545 wants it."""

import time
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from services.calendar import ical
from services.calendar.ical import FUTURE_DAYS, MAX_EVENTS, PAST_DAYS, Booked, FeedError, parse, render

TZ = "America/Argentina/Buenos_Aires"
TODAY = date(2026, 11, 23)

AIRBNB = """BEGIN:VCALENDAR\r
PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r
CALSCALE:GREGORIAN\r
VERSION:2.0\r
BEGIN:VEVENT\r
DTSTAMP:20261001T061512Z\r
DTSTART;VALUE=DATE:20261210\r
DTEND;VALUE=DATE:20261215\r
SUMMARY:Reserved\r
UID:1418fb94e984-aaaa@airbnb.com\r
DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/de\r
 tails/HMXXXXXXX\\nPhone Number (Last 4 Digits): 0431\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20261218\r
DTEND;VALUE=DATE:20261220\r
SUMMARY:Airbnb (Not available)\r
UID:7f662ec65913-bbbb@airbnb.com\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_airbnb_feed_with_folding_and_missing_dtstamp() -> None:
    events = {e.uid: e for e in parse(AIRBNB.encode(), TZ, TODAY)}
    assert (events["1418fb94e984-aaaa@airbnb.com"].start, events["1418fb94e984-aaaa@airbnb.com"].end) == (
        date(2026, 12, 10),
        date(2026, 12, 15),
    )
    assert events["7f662ec65913-bbbb@airbnb.com"].summary == "Airbnb (Not available)"


def test_bom_and_lf_endings_and_unknown_properties() -> None:
    feed = "\ufeff" + AIRBNB.replace("\r\n", "\n").replace("CALSCALE:GREGORIAN", "X-WHATEVER:1\nCALSCALE:GREGORIAN")
    assert len(parse(feed.encode(), TZ, TODAY)) == 2


def test_booking_com_style() -> None:
    feed = (
        "BEGIN:VCALENDAR\nPRODID:-//admin.booking.com\\, b.v.//NONSGML v1.0//EN\nMETHOD:PUBLISH\nVERSION:2.0\n"
        "BEGIN:VEVENT\nDTSTAMP:20261101T000000Z\nDTSTART;VALUE=DATE:20270105\nDTEND;VALUE=DATE:20270108\n"
        "UID:9a8b7c@booking.com\nSUMMARY:CLOSED - Not available\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    [event] = parse(feed.encode(), TZ, TODAY)
    assert (event.start, event.end, event.summary) == (date(2027, 1, 5), date(2027, 1, 8), "CLOSED - Not available")


def test_date_times_become_local_dates() -> None:
    # The feed that crashed the original system (shared/data/original-system).
    feed = (
        b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:UID-789@x\nDTSTAMP:20250101T000000Z\n"
        b"DTSTART:20280110T150000Z\nDTEND:20280112T110000Z\nSUMMARY:Reserva externa\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    [event] = parse(feed, TZ, TODAY)
    # 10 Jan 15:00Z is 12:00 in Buenos Aires; 12 Jan 11:00Z is 08:00: nights of the 10th and 11th.
    assert (event.start, event.end) == (date(2028, 1, 10), date(2028, 1, 12))


def test_late_utc_time_moves_to_the_previous_local_day() -> None:
    feed = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20270110T020000Z\nDTEND:20270112T020000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    [event] = parse(feed.encode(), TZ, TODAY)
    assert (event.start, event.end) == (date(2027, 1, 9), date(2027, 1, 11))


def test_missing_dtend_is_one_night_and_cancelled_or_transparent_do_not_block() -> None:
    feed = (
        "BEGIN:VCALENDAR\nVERSION:2.0\n"
        "BEGIN:VEVENT\nUID:one\nDTSTART;VALUE=DATE:20270110\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:gone\nSTATUS:CANCELLED\nDTSTART;VALUE=DATE:20270111\nDTEND;VALUE=DATE:20270113\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:free\nTRANSP:TRANSPARENT\nDTSTART;VALUE=DATE:20270111\nDTEND;VALUE=DATE:20270113\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    [event] = parse(feed.encode(), TZ, TODAY)
    assert (event.uid, event.start, event.end) == ("one", date(2027, 1, 10), date(2027, 1, 11))


def test_duplicate_uid_keeps_the_last_and_rrule_expands() -> None:
    feed = (
        "BEGIN:VCALENDAR\nVERSION:2.0\n"
        "BEGIN:VEVENT\nUID:dup\nDTSTART;VALUE=DATE:20270110\nDTEND;VALUE=DATE:20270112\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:dup\nDTSTART;VALUE=DATE:20270110\nDTEND;VALUE=DATE:20270113\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:weekly\nDTSTART;VALUE=DATE:20270201\nDTEND;VALUE=DATE:20270202\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    events = {e.uid: e for e in parse(feed.encode(), TZ, TODAY)}
    assert events["dup"].end == date(2027, 1, 13)
    assert sorted(u for u in events if u.startswith("weekly")) == [
        "weekly#2027-02-01",
        "weekly#2027-02-08",
        "weekly#2027-02-15",
    ]


@pytest.mark.parametrize(
    "garbage", [b"", b"<html>Not found</html>", b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:notadate\n"]
)
def test_garbage_is_a_feed_error(garbage: bytes) -> None:
    with pytest.raises(FeedError):
        parse(garbage, TZ, TODAY)


def test_empty_but_valid_calendar_has_no_events() -> None:
    assert parse(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n", TZ, TODAY) == []


def test_export_is_strict_rfc5545() -> None:
    stamp = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    body = render(
        "Cabaña con un nombre bastante largo para que la línea del calendario se pliegue sí o sí",
        [
            Booked("RES261120AAAAAA", date(2027, 1, 10), date(2027, 1, 14), "booked", "whatsapp", stamp),
            Booked("BLK261120BBBBBB", date(2027, 1, 20), date(2027, 1, 22), "blocked", "airbnb", stamp),
        ],
    )
    assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "PUBLISH" and calendar["VERSION"] == "2.0" and "PRODID" in calendar
    events = calendar.events
    assert [(str(e["X-CODE"]), str(e["X-SOURCE"]), e.DTSTART, e.DTEND) for e in events] == [
        ("RES261120AAAAAA", "whatsapp", date(2027, 1, 10), date(2027, 1, 14)),
        ("BLK261120BBBBBB", "airbnb", date(2027, 1, 20), date(2027, 1, 22)),
    ]
    assert all(e.get("DTSTAMP") and str(e["UID"]).endswith("@cabanas") for e in events)


def test_runaway_series_are_left_out_quickly() -> None:
    """A hostile or broken feed must not keep the calendar busy for minutes."""

    def series(uid: str, start: str, rule: str) -> str:
        return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nDTEND:{start}\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"

    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + series("every-minute", "20261201T000000Z", "FREQ=MINUTELY")
        + series("every-second", "20261201T000000Z", "FREQ=SECONDLY")
        + series("since-year-one", "00010101T000000Z", "FREQ=DAILY")
        + series("weekly", "20261204", "FREQ=WEEKLY;COUNT=2").replace("DTSTART:", "DTSTART;VALUE=DATE:")
        + "END:VCALENDAR\r\n"
    ).replace("DTEND;VALUE=DATE:20261204", "DTEND;VALUE=DATE:20261206")
    started = time.perf_counter()
    events = parse(feed.encode(), TZ, TODAY)
    assert time.perf_counter() - started < 2
    assert sorted((e.start, e.end) for e in events) == [
        (date(2026, 12, 4), date(2026, 12, 5)),
        (date(2026, 12, 11), date(2026, 12, 12)),
    ]


def series(uid: str, start: date, rule: str, days: int = 1) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{start:%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{start + timedelta(days=days):%Y%m%d}\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
    )


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


EVERY_MINUTE = "FREQ=DAILY;BYHOUR={};BYMINUTE={}".format(",".join(map(str, range(24))), ",".join(map(str, range(60))))


def test_rules_that_repeat_several_times_a_day_are_left_out_before_expansion() -> None:
    """Issue 14, item 3: FREQ=DAILY;BYHOUR=0..23;BYMINUTE=0..59 is ~1.1 M instances in the window
    (80 s and 2 GB to expand each); by BYHOUR, BYMINUTE or BYSECOND, any rule more than daily is left out."""
    start = TODAY + timedelta(days=10)
    feed = calendar(
        series("every-minute", start, EVERY_MINUTE),
        series("twice-a-day", start, "FREQ=DAILY;BYHOUR=9,18;COUNT=4"),
        series("every-second-at-noon", start, "FREQ=WEEKLY;BYHOUR=12;BYMINUTE=0;BYSECOND=0,1"),
        series("half-hourly-mondays", start, "FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30"),
        series("daily-at-ten", start, "FREQ=DAILY;BYHOUR=10;BYMINUTE=0;BYSECOND=0;COUNT=2"),  # once a day: kept
    )
    started = time.perf_counter()
    events = parse(feed, TZ, TODAY)
    assert time.perf_counter() - started < 2
    assert sorted(e.uid for e in events) == [f"daily-at-ten#{start}", f"daily-at-ten#{start + timedelta(days=1)}"]


def test_a_nightly_series_over_the_whole_window_is_never_cut() -> None:
    events = parse(calendar(series("nightly", TODAY - timedelta(days=60), "FREQ=DAILY")), TZ, TODAY)
    assert len(events) == PAST_DAYS + FUTURE_DAYS  # every night of the window


def test_a_series_past_its_cap_fails_the_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failing keeps the feed's blocks (the sync keeps them on a FeedError); cutting the series would free nights."""
    monkeypatch.setattr(ical, "MAX_SERIES_INSTANCES", 10)
    feed = calendar(series("ok", TODAY, "FREQ=WEEKLY;COUNT=10"), series("long", TODAY, "FREQ=DAILY;COUNT=11"))
    with pytest.raises(FeedError, match="event 'long' repeats more than 10 times"):
        parse(feed, TZ, TODAY)


def test_a_feed_past_its_cap_fails_counting_plain_events_and_instances() -> None:
    """28 series blocking every night for two years are 20,440 blocks: more than MAX_EVENTS."""
    nightly = [series(f"n{i}@x", TODAY, "FREQ=DAILY") for i in range(MAX_EVENTS // FUTURE_DAYS)]  # 27: 19,710
    assert len(parse(calendar(*nightly), TZ, TODAY)) == len(nightly) * FUTURE_DAYS
    plain = "".join(
        f"BEGIN:VEVENT\r\nUID:p{i}\r\nDTSTART;VALUE=DATE:{TODAY:%Y%m%d}\r\nEND:VEVENT\r\n" for i in range(300)
    )
    for more in (series("n27@x", TODAY, "FREQ=DAILY"), plain):
        started = time.perf_counter()
        with pytest.raises(FeedError, match=f"more than {MAX_EVENTS} events"):
            parse(calendar(*nightly, more), TZ, TODAY)
        assert time.perf_counter() - started < 5
