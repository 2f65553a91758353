"""E-mails as people read them, without sending anything: the guest's (the cabin's name and photo,
the message, the stay as an `.ics`) and the team's alerts, each as an HTML and a plain-text body
from the Jinja2 templates in `mail_templates/`. What to send and when is the callers' business;
`mailer.py` queues and sends."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.common.uids import stay_uid

ICS_NAME = "reserva.ics"
ICS_TYPE = "text/calendar; method=PUBLISH; charset=utf-8"
_URL = re.compile(r"https?://[^\s<>\"']+")  # a whole line that is a web address becomes a link

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "mail_templates"),
    autoescape=select_autoescape(("html",), default_for_string=False),  # the .txt bodies are not HTML
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_templates.tests["url"] = lambda value: isinstance(value, str) and _URL.fullmatch(value) is not None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # with its parameters: "text/calendar; method=PUBLISH; charset=utf-8"
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


def _bodies(name: str, **context: Any) -> tuple[str, str]:
    """(plain text, HTML) of template `name`."""
    text, html = (_templates.get_template(f"{name}.{kind}").render(context) for kind in ("txt", "html"))
    return text, html


def guest_email(
    to: str, subject: str, cabin: str, photo_url: str, paragraphs: Sequence[str], ics: bytes | None = None
) -> Email:
    """An e-mail to a guest: the cabin's name as header, its photo (an http(s) URL, or none), the
    paragraphs (a line that is a URL becomes a link), the stay's `.ics` attached when given."""
    text, html = _bodies("guest", subject=subject, cabin=cabin, photo_url=photo_url, paragraphs=list(paragraphs))
    attachments = (Attachment(ICS_NAME, ICS_TYPE, ics),) if ics is not None else ()
    return Email(to, subject, text, html, attachments)


def alert_email(to: str, subject: str, lines: Sequence[str], link: str = "") -> Email:
    """An alert to a member of the team: one line per thing that happened, a link to the console."""
    text, html = _bodies("alert", subject=subject, lines=list(lines), link=link)
    return Email(to, subject, text, html)


def _moment(day: date, hour: str, zone: ZoneInfo) -> date | datetime:
    """`day` at `hour` ("HH:MM") in the cabin's zone; the day alone when no time is known."""
    try:
        return datetime.combine(day, time.fromisoformat(hour), zone)
    except ValueError:
        return day


def stay_ics(
    code: str,
    cabin: str,
    check_in: date,
    check_out: date,
    check_in_time: str,
    check_out_time: str,
    time_zone: str,
    address: str,
    status: str = "CONFIRMED",
    sequence: int = 0,
) -> bytes:
    """The stay as one calendar event: from check-in to check-out at the cabin's times in its zone
    (whole days when a time is missing), with the channels' export UID. `status` "CANCELLED" takes
    it off the guest's calendar; a later version of the stay (new dates, the cancellation) needs a
    larger `sequence`, or calendars keep the one they have."""
    zone = ZoneInfo(time_zone)
    start, end = _moment(check_in, check_in_time, zone), _moment(check_out, check_out_time, zone)
    if type(start) is not type(end):  # one time known and not the other: both whole days
        start, end = check_in, check_out
    event = icalendar.Event()
    event.add("uid", stay_uid(code))
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"Estadía en {cabin}")
    if address:
        event.add("location", address)
    event.add("status", status)
    event.add("sequence", sequence)
    event.add("transp", "OPAQUE")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cabanas//Reserva//ES")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
