"""iCalendar in and out (RFC 5545), as channels actually write it.

Import is lenient: BOM, LF or CRLF, folded lines, unknown properties, missing
DTSTAMP, missing DTEND (one night), date-times (converted to the cabin's local
dates), RRULE (expanded), STATUS:CANCELLED and TRANSP:TRANSPARENT (ignored),
duplicated UIDs (the last wins). Series no channel writes for nightly blocks are
left out before expansion, which would take minutes and gigabytes: more often than
daily (FREQ=HOURLY.., or several times a day by BYHOUR/BYMINUTE/BYSECOND) or
starting over ten years before the window. Expansion stops at caps: a feed with more
than MAX_EVENTS blocks, or one series with more than MAX_SERIES_INSTANCES, is a
FeedError (the sync then keeps the feed's blocks). DTEND is exclusive, exactly like the
`[check_in, check_out)` of a stay. Export is strict: CRLF, lines folded at 75
octets, DTSTAMP always, stable UIDs.
"""

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from services.common.uids import stay_uid

# Only what can still be booked matters: a little of the past, two years ahead.
PAST_DAYS = 31
FUTURE_DAYS = 730
MAX_EVENTS = 20_000  # blocks in one feed, plain events and instances together
MAX_SERIES_INSTANCES = 1_500  # of one series in the window: a nightly one has ~760
# Series no channel writes for nightly blocks, whose expansion could run for minutes:
# instances more often than daily, or a start decades before the window.
SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
TIMES_OF_DAY = ("BYHOUR", "BYMINUTE", "BYSECOND")  # their values multiply into instances per day
MAX_SERIES_AGE = timedelta(days=3650)


class FeedError(ValueError):
    """The feed cannot be read as an iCalendar."""


@dataclass(frozen=True)
class Event:
    uid: str
    start: date  # first night
    end: date  # check-out day (exclusive)
    summary: str


def _local(item: icalendar.cal.Component, name: str, zone: ZoneInfo) -> date:
    """The cabin's local date of a DTSTART or DTEND; anything else there makes the feed unparsable."""
    value = getattr(item[name], "dt", None)
    if isinstance(value, datetime):
        return (value.astimezone(zone) if value.tzinfo else value).date()  # floating times stay as written
    if isinstance(value, date):
        return value
    raise ValueError(f"{name} is not a date: {value!r}")


def _event(item: icalendar.cal.Component, uid: str, zone: ZoneInfo) -> Event | None:
    """The nights an event blocks, or None when it blocks nothing."""
    if str(item.get("STATUS", "")).upper() == "CANCELLED" or str(item.get("TRANSP", "")).upper() == "TRANSPARENT":
        return None
    if item.get("DTSTART") is None:
        return None
    start = _local(item, "DTSTART", zone)
    end = _local(item, "DTEND", zone) if item.get("DTEND") is not None else start
    return Event(uid, start, max(end, start + timedelta(days=1)), str(item.get("SUMMARY", ""))[:200])


def _uid(item: icalendar.cal.Component) -> str:
    return str(item.get("UID", "")).strip()


def _more_than_daily(rule: icalendar.vRecur) -> bool:
    if any(str(f).upper() in SUB_DAILY for f in rule.get("FREQ", [])):
        return True
    per_day = 1
    for part in TIMES_OF_DAY:
        per_day *= max(len(rule.get(part, [])), 1)
    return per_day > 1


def _runaway(item: icalendar.cal.Component, first: date) -> bool:
    rule = item.get("RRULE")
    rules = rule if isinstance(rule, list) else [rule] if rule is not None else []
    if any(_more_than_daily(r) for r in rules):
        return True
    start = item.get("DTSTART")
    written = start.dt.date() if start is not None and isinstance(start.dt, datetime) else getattr(start, "dt", None)
    return isinstance(written, date) and written < first - MAX_SERIES_AGE  # as written: no time zone to overflow


def parse(data: bytes, time_zone: str, today: date) -> list[Event]:
    """The blocking events of a feed, in the cabin's local dates, within the bookable window."""
    text = data.decode("utf-8-sig", errors="replace")
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise FeedError("not an iCalendar (no BEGIN:VCALENDAR)")
    zone = ZoneInfo(time_zone)
    first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    try:
        calendar = icalendar.Calendar.from_ical(text)
        components = calendar.walk("VEVENT")
        if len(components) > MAX_EVENTS:
            raise FeedError(f"more than {MAX_EVENTS} events")
        events: dict[str, Event] = {}
        recurring, runaway = set(), set()
        for item in components:  # plain events: a duplicated UID, the last one wins
            if not (uid := _uid(item)):
                continue
            if item.get("RRULE") is not None or item.get("RDATE") is not None or item.get("RECURRENCE-ID") is not None:
                if _runaway(item, first):
                    runaway.add(id(item))
                else:
                    recurring.add(uid)
            elif (event := _event(item, uid, zone)) is not None:
                events[uid] = event
        if recurring:  # one block per instance of a recurring event
            # Expansion walks the whole calendar: only the series, runaway ones left out.
            calendar.subcomponents = [
                c
                for c in calendar.subcomponents
                if c.name != "VEVENT" or (_uid(c) in recurring and id(c) not in runaway)
            ]
            for n, event in enumerate(_instances(calendar, zone, first, last), len(events) + 1):
                if n > MAX_EVENTS:
                    raise FeedError(f"more than {MAX_EVENTS} events")
                events[event.uid] = event
    except FeedError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:  # parse errors, dates past 9999
        raise FeedError(f"unparsable iCalendar: {exc}") from exc
    return [e for e in events.values() if e.end >= first and e.start <= last]


def _instances(calendar: icalendar.Calendar, zone: ZoneInfo, first: date, last: date) -> Iterator[Event]:
    """The calendar's recurring events' instances in the window, one series at a time and lazily,
    so that the caps stop a long expansion as it goes; keyed UID#first-night."""
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    for series in query.series:
        with contextlib.suppress(*query.suppressed_errors):  # a broken series is left out, as `between` does
            for n, occurrence in enumerate(series.between(first, last), 1):
                item = occurrence.as_component(False)
                if n > MAX_SERIES_INSTANCES:
                    raise FeedError(f"event {_uid(item)!r} repeats more than {MAX_SERIES_INSTANCES} times")
                if (event := _event(item, _uid(item), zone)) is not None:
                    yield Event(f"{event.uid}#{event.start.isoformat()}", event.start, event.end, event.summary)


@dataclass(frozen=True)
class Booked:
    code: str
    start: date
    end: date
    status: str
    source: str  # channel: whatsapp, web, admin, or the feed label of an imported block
    updated_at: datetime


def render(name: str, booked: list[Booked]) -> bytes:
    """The cabin's calendar, one all-day VEVENT per holding reservation or block; the UIDs are the
    stays' own (`stay_uid`), so channels update rather than duplicate, as the guest's e-mailed `.ics` does."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cabanas//Calendario de reservas//ES")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{name} (Cabañas)")
    for b in sorted(booked, key=lambda b: (b.start, b.code)):
        event = icalendar.Event()
        event.add("uid", stay_uid(b.code))
        event.add("dtstamp", b.updated_at.astimezone(UTC))
        event.add("dtstart", b.start)
        event.add("dtend", b.end)
        event.add("summary", "No disponible" if b.status == "blocked" else f"Reservado ({b.code})")
        event.add("x-code", b.code)
        event.add("x-source", b.source)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
