"""What /canales shows of calendar's feeds and export URLs, for an owner rather than an engineer:
a short URL, the last sync's error in Spanish, one export URL per channel to paste."""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

SOURCES = ("airbnb", "booking", "vrbo", "other")  # calendar's labels, in the order the form offers them
PASTE_INTO = ("airbnb", "booking")  # the channels every owner pastes our calendar into
SHORT_URL = 48

# calendar's sync errors (services/calendar/fetch.py, ical.py, sync.py) by what they start with.
_ERRORS = (
    (re.compile(r"HTTP (404|410)"), "El canal dice que ese calendario no existe: revisá la URL."),
    (re.compile(r"HTTP (401|403)"), "El canal no deja leer ese calendario: revisá la URL."),
    (re.compile(r"HTTP \d+"), "El canal respondió con un error. Probá más tarde."),
    (re.compile(r"timed out|took over"), "El canal tardó demasiado en responder. Probá más tarde."),
    (re.compile(r"address not allowed"), "Esa dirección no está permitida."),
    (re.compile(r"feed larger|more than \d+ events|repeats more"), "El calendario es demasiado grande."),
    (re.compile(r"not an iCalendar|unparsable|unsupported encoding|corrupt"), "Eso no es un calendario iCal."),
    (re.compile(r"too many redirects"), "La URL redirige demasiadas veces: revisá la URL."),
    (re.compile(r"ConnectError|Connect|Network|Read|Remote"), "No pude conectarme con el canal. Probá más tarde."),
    (re.compile(r"booking:"), "Leí el calendario pero no pude aplicarlo. Probá de nuevo."),
)
UNKNOWN_ERROR = "No pude leer el calendario. Probá de nuevo."


def sync_error(text: str) -> str:
    """A last sync's error as the owner reads it; "" when there was none."""
    if not text:
        return ""
    return next((spanish for pattern, spanish in _ERRORS if pattern.search(text)), UNKNOWN_ERROR)


def short_url(url: str) -> str:
    """ "https://www.airbnb.com/calendar/ical/123.ics?s=abc" -> "airbnb.com/…/123.ics": enough to tell feeds apart."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    shown = f"{host}/…/{last}" if last and parts.path.count("/") > 1 else f"{host}{parts.path}"
    return shown if len(shown) <= SHORT_URL else shown[: SHORT_URL - 1] + "…"


@dataclass(frozen=True)
class Feed:
    id: int
    source: str
    url: str
    short: str
    synced_at: datetime | None  # last attempt
    ok_at: datetime | None  # last success
    failed: bool
    error: str  # in Spanish
    events: int
    conflicts: int


@dataclass(frozen=True)
class Export:
    source: str  # a SOURCES label, or "" for "any other channel"
    url: str


def exports(export_url: str, per_source: dict[str, str]) -> list[Export]:
    """One URL per channel to paste our calendar into: Airbnb and Booking.com always, any other
    channel with a feed here, and the plain one for the rest. A channel's own URL leaves out the
    blocks that came from it (they would come back as a conflict)."""
    sources = [*PASTE_INTO, *(s for s in SOURCES if s in per_source and s not in PASTE_INTO)]
    return [Export(s, per_source.get(s, export_url)) for s in sources] + [Export("", export_url)]
