"""E-mails as people read them: both bodies from the templates, hostile text escaped in HTML, links
and the cabin's photo, and the stay's `.ics` read back with icalendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from services.common.uids import stay_uid
from services.messaging.mail import ICS_NAME, ICS_TYPE, alert_email, guest_email, stay_ics

ZONE = "America/Argentina/Buenos_Aires"
PHOTO = "https://fotos.example.com/bosque.jpg"
MAPS = "https://maps.example.com/?q=-41.1,-71.3&z=15"


def _guest(cabin: str = "Cabaña del Bosque", photo: str = PHOTO, paragraphs: tuple[str, ...] = ()) -> str:
    return guest_email("ana@example.com", "Tu reserva", cabin, photo, paragraphs or ("Hola Ana.",)).html


def test_a_guest_email_has_the_cabin_the_paragraphs_and_why_it_came_in_both_bodies() -> None:
    email = guest_email(
        "ana@example.com",
        "Tu reserva está confirmada",
        "Cabaña del Bosque",
        PHOTO,
        ["Hola Ana, te esperamos el viernes 5.", "Cómo llegar:\n" + MAPS],
    )
    assert (email.to, email.subject, email.attachments) == ("ana@example.com", "Tu reserva está confirmada", ())
    for body in (email.text, email.html):
        assert "Cabaña del Bosque" in body and "Hola Ana, te esperamos el viernes 5." in body
        assert "Te llega este correo porque tenés una reserva en Cabaña del Bosque" in body
    assert email.text.startswith("Cabaña del Bosque\n=================\n")
    assert MAPS in email.text and "<" not in email.text
    assert f'<img src="{PHOTO}" alt="Cabaña del Bosque"' in email.html


def test_a_line_that_is_a_url_becomes_a_link_and_other_text_does_not() -> None:
    html = _guest(paragraphs=("Cómo llegar:\n" + MAPS, "Escribinos a https://wa.me/549 si te perdés", "javascript:x()"))
    escaped = MAPS.replace("&", "&amp;")
    assert f'<a href="{escaped}"' in html and f">{escaped}</a>" in html
    assert "Cómo llegar:<br><a" in html  # lines of a paragraph stay lines
    assert html.count("<a ") == 1  # a URL inside a sentence is text, and only web addresses are links


@pytest.mark.parametrize(
    "hostile",
    ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "O'Higgins & <b>Cía</b>"],
)
def test_hostile_cabin_names_and_paragraphs_are_text_in_the_html(hostile: str) -> None:
    html = _guest(cabin=hostile, paragraphs=(hostile,))
    assert hostile not in html
    assert "<script" not in html and "<b>" not in html and "onerror=alert(1)>" not in html


def test_the_photo_shows_only_when_there_is_a_web_address() -> None:
    assert "<img" not in _guest(photo="")
    assert "<img" not in _guest(photo="javascript:alert(1)")
    assert "<img" not in _guest(photo='https://x.example.com/a.jpg" onerror="alert(1)')


def test_the_stays_calendar_goes_as_reserva_ics() -> None:
    email = guest_email("ana@example.com", "Tu reserva", "Bosque", "", ["Hola."], ics=b"BEGIN:VCALENDAR")
    [attachment] = email.attachments
    assert (attachment.filename, attachment.data) == (ICS_NAME, b"BEGIN:VCALENDAR")
    assert attachment.content_type == ICS_TYPE == "text/calendar; method=PUBLISH; charset=utf-8"


def test_an_alert_lists_what_happened_with_a_link_to_the_console() -> None:
    email = alert_email(
        "duena@example.com",
        "2 avisos",
        ["Reserva nueva RES1 <Bosque>", "Ana espera una persona"],
        "http://localhost:8001/mensajes",
    )
    assert "- Reserva nueva RES1 <Bosque>\n- Ana espera una persona\n" in email.text
    assert "Abrir la consola: http://localhost:8001/mensajes" in email.text
    assert '<li style="margin:8px 0">Reserva nueva RES1 &lt;Bosque&gt;</li>' in email.html
    assert '<a href="http://localhost:8001/mensajes"' in email.html
    assert "Abrir la consola" not in alert_email("duena@example.com", "Aviso", ["Algo"]).html


def _event(ics: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(ics)
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.events
    return event


def test_the_stay_is_an_event_at_the_cabins_times_in_its_zone() -> None:
    ics = stay_ics("RES1ABC", "Bosque", date(2026, 1, 9), date(2026, 1, 12), "15:00", "10:30", ZONE, "Ruta 40 km 3")
    event = _event(ics)
    assert str(event["UID"]) == stay_uid("RES1ABC") == "RES1ABC@cabanas"
    zone = ZoneInfo(ZONE)
    start, end = event.DTSTART, event.DTEND
    assert start == datetime(2026, 1, 9, 15, 0, tzinfo=zone) and end == datetime(2026, 1, 12, 10, 30, tzinfo=zone)
    assert start.utcoffset() == zone.utcoffset(datetime(2026, 1, 9))  # -03:00, not UTC
    assert b"DTSTART;TZID=America/Argentina/Buenos_Aires:20260109T150000" in ics and b"BEGIN:VTIMEZONE" in ics
    assert (str(event["SUMMARY"]), str(event["LOCATION"]), str(event["STATUS"])) == (
        "Estadía en Bosque",
        "Ruta 40 km 3",
        "CONFIRMED",
    )
    assert event["SEQUENCE"] == 0 and event.get("DTSTAMP") is not None


def test_without_a_time_the_stay_takes_whole_days() -> None:
    event = _event(stay_ics("RES2", "Lago", date(2026, 2, 1), date(2026, 2, 3), "", "10:00", ZONE, ""))
    days = event.DTSTART, event.DTEND
    assert days == (date(2026, 2, 1), date(2026, 2, 3))
    assert "LOCATION" not in event


def test_a_cancellation_is_a_later_version_of_the_same_event() -> None:
    first = _event(stay_ics("RES3", "Lago", date(2026, 3, 1), date(2026, 3, 4), "14:00", "10:00", ZONE, "X"))
    cancelled = _event(
        stay_ics("RES3", "Lago", date(2026, 3, 1), date(2026, 3, 4), "14:00", "10:00", ZONE, "X", "CANCELLED", 2)
    )
    assert str(cancelled["UID"]) == str(first["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert (str(first["SEQUENCE"]), str(cancelled["SEQUENCE"])) == ("0", "2")
