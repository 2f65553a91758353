"""Properties of the lenient iCal import over mutated feeds: whatever a channel
(or the network) does to a valid feed, `parse` either returns blocks that each
end after they start, or raises its own `FeedError`, never anything else.

Bounded and reproducible: derandomized, no example database, a few hundred
examples per property."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.calendar.ical import FeedError, parse

TZ = "America/Argentina/Buenos_Aires"
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Valid feeds as the channels write them (the first from services/calendar/tests/test_ical.py).
AIRBNB = (
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\n"
    "CALSCALE:GREGORIAN\r\n"
    "VERSION:2.0\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTAMP:20261001T061512Z\r\n"
    "DTSTART;VALUE=DATE:20261210\r\n"
    "DTEND;VALUE=DATE:20261215\r\n"
    "SUMMARY:Reserved\r\n"
    "UID:1418fb94e984-aaaa@airbnb.com\r\n"
    "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/de\r\n"
    " tails/HMXXXXXXX\\nPhone Number (Last 4 Digits): 0431\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;VALUE=DATE:20261218\r\n"
    "DTEND;VALUE=DATE:20261220\r\n"
    "SUMMARY:Airbnb (Not available)\r\n"
    "UID:7f662ec65913-bbbb@airbnb.com\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)
BOOKING = (
    "BEGIN:VCALENDAR\nPRODID:-//admin.booking.com\\, b.v.//NONSGML v1.0//EN\nMETHOD:PUBLISH\nVERSION:2.0\n"
    "BEGIN:VEVENT\nDTSTAMP:20261101T000000Z\nDTSTART;VALUE=DATE:20270105\nDTEND;VALUE=DATE:20270108\n"
    "UID:9a8b7c@booking.com\nSUMMARY:CLOSED - Not available\nEND:VEVENT\nEND:VCALENDAR\n"
)
DATE_TIMES = (  # UTC and zoned date-times, a floating one, a DURATION instead of DTEND
    "BEGIN:VCALENDAR\nVERSION:2.0\n"
    "BEGIN:VTIMEZONE\nTZID:America/Argentina/Buenos_Aires\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
    "TZOFFSETFROM:-0300\nTZOFFSETTO:-0300\nTZNAME:-03\nEND:STANDARD\nEND:VTIMEZONE\n"
    "BEGIN:VEVENT\nUID:UID-789@x\nDTSTAMP:20250101T000000Z\nDTSTART:20280110T150000Z\nDTEND:20280112T110000Z\n"
    "SUMMARY:Reserva externa\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:zoned@x\nDTSTART;TZID=America/Argentina/Buenos_Aires:20270301T140000\n"
    "DTEND;TZID=America/Argentina/Buenos_Aires:20270304T100000\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:floating@x\nDTSTART:20270401T140000\nDURATION:P2D\nEND:VEVENT\n"
    "END:VCALENDAR\n"
)
RECURRING = (  # RRULE, RDATE, EXDATE, a moved instance (RECURRENCE-ID), cancelled and transparent events
    "BEGIN:VCALENDAR\nVERSION:2.0\n"
    "BEGIN:VEVENT\nUID:weekly\nDTSTART;VALUE=DATE:20270201\nDTEND;VALUE=DATE:20270202\n"
    "RRULE:FREQ=WEEKLY;COUNT=5\nEXDATE;VALUE=DATE:20270208\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:weekly\nRECURRENCE-ID;VALUE=DATE:20270215\nDTSTART;VALUE=DATE:20270216\n"
    "DTEND;VALUE=DATE:20270218\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:monthly\nDTSTART;VALUE=DATE:20270110\nDTEND;VALUE=DATE:20270112\n"
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=10;UNTIL=20271231\nRDATE;VALUE=DATE:20270120,20270125\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:gone\nSTATUS:CANCELLED\nDTSTART;VALUE=DATE:20270111\nDTEND;VALUE=DATE:20270113\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:free\nTRANSP:TRANSPARENT\nDTSTART;VALUE=DATE:20270111\nDTEND;VALUE=DATE:20270113\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:one\nDTSTART;VALUE=DATE:20270110\nEND:VEVENT\n"
    "END:VCALENDAR\n"
)
FEEDS = [AIRBNB, BOOKING, DATE_TIMES, RECURRING]

# The properties whose values are dates, times or rules: where a flipped character hurts most.
DATED = ("DTSTART", "DTEND", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "DURATION")
NASTY_VALUES = [
    "",
    "0",
    "00000000",
    "19000101",  # not 00010101: an unbounded rule from year 1 costs seconds (see the note below)
    "99991231",
    "99991231T235959Z",
    "20270230",
    "20271301",
    "20270110T250000Z",
    "20270110T120000+0300",
    "2027-01-10",
    "20270110/20270112",
    "P-2D",
    "PT0S",
    "P99999999D",
    "-P1D",
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;COUNT=-1",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=YEARLY;UNTIL=99991231",
    "FREQ=YEARLY;UNTIL=00010101",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=HOURLY;COUNT=50",
    "FREQ=NEVER",
    "FREQ",
]
# Not generated: unbounded sub-daily rules (FREQ=MINUTELY, or DAILY;BYHOUR=0,...,23) and unbounded rules
# from year 1. They parse correctly but expand every instance from DTSTART: seconds to hours of CPU.
FLIP_CHARS = "0123456789TZ:;=,-+/PDWHMS \x00\té\ufffd"


def _lines(feed: bytes) -> list[bytes]:
    return feed.splitlines(keepends=True) or [b""]


@st.composite
def mutation(draw: st.DrawFn, feed: bytes) -> bytes:
    """One change to the feed."""
    lines = _lines(feed)
    i = draw(st.integers(0, len(lines) - 1))
    kind = draw(
        st.sampled_from(["delete", "duplicate", "swap", "truncate", "inject", "flip", "replace", "unclose", "eol"])
    )
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "truncate":
        return feed[: draw(st.integers(0, len(feed)))]
    elif kind == "inject":
        at = draw(st.integers(0, len(feed)))
        return feed[:at] + draw(st.binary(min_size=1, max_size=8)) + feed[at:]
    elif kind in ("flip", "replace"):
        dated = [n for n, line in enumerate(lines) if line.upper().startswith(tuple(p.encode() for p in DATED))]
        if not dated:
            return feed
        n = draw(st.sampled_from(dated))
        name, sep, value = lines[n].rstrip(b"\r\n").rpartition(b":")
        ending = lines[n][len(lines[n].rstrip(b"\r\n")) :]
        if kind == "flip" and value:
            at = draw(st.integers(0, len(value) - 1))
            value = value[:at] + draw(st.sampled_from(FLIP_CHARS)).encode() + value[at + 1 :]
        else:
            value = draw(st.sampled_from(NASTY_VALUES)).encode()
        lines[n] = name + sep + value + ending
    elif kind == "unclose":
        closing = [n for n, line in enumerate(lines) if line.strip().upper() == b"END:VEVENT"]
        if closing:
            del lines[draw(st.sampled_from(closing))]
    else:  # line endings changed on one line: CRLF, LF, CR alone, none
        lines[i] = lines[i].rstrip(b"\r\n") + draw(st.sampled_from([b"\r\n", b"\n", b"\r", b""]))
    return b"".join(lines)


@st.composite
def mutated_feeds(draw: st.DrawFn) -> bytes:
    feed = draw(st.sampled_from(FEEDS)).encode()
    for _ in range(draw(st.integers(1, 4))):
        feed = draw(mutation(feed))
    return feed


def _check(feed: bytes, today: date) -> None:
    try:
        events = parse(feed, TZ, today)
    except FeedError:
        return
    for event in events:
        assert event.end > event.start, event
        assert type(event.start) is date and type(event.end) is date, event  # dates, never date-times


@pytest.mark.parametrize("feed", FEEDS, ids=["airbnb", "booking", "date_times", "recurring"])
def test_the_seed_feeds_are_valid(feed: str) -> None:
    assert parse(feed.encode(), TZ, date(2026, 11, 23))


@SETTINGS
@given(feed=mutated_feeds())
def test_mutated_feeds_parse_or_raise_feed_error(feed: bytes) -> None:
    _check(feed, date(2026, 11, 23))


@SETTINGS
@given(feed=mutated_feeds(), today=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_any_today(feed: bytes, today: date) -> None:
    _check(feed, today)


@settings(SETTINGS, max_examples=100)
@given(feed=st.binary(max_size=400).map(lambda b: b"BEGIN:VCALENDAR\r\n" + b))
def test_random_bytes_after_the_header(feed: bytes) -> None:
    _check(feed, date(2026, 11, 23))
