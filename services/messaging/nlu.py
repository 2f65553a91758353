"""Spanish (Argentina) understanding of guests' messages: intent and slots.

Rules first, because they are predictable and fast, for what guests actually
write ("este finde", "del 15 al 18 de diciembre", "desde el viernes por 3
noches", "somos cuatro", "2 adultos y 1 niño"); dateparser for the dates the
rules do not cover, reading only around month names and relative days (its
time grows with the text it is given). Numbers in words go through text2num.
Everything is resolved against `today` in the cabin's time zone; a date that
already passed this year means next year (in December, "enero" is next
January), and a check-out is always after its check-in. On an event loop,
`parse_off_loop` parses on a thread of its own.
"""

import asyncio
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import MAXYEAR, date, datetime, timedelta
from itertools import islice

import dateparser.search
from dateutil.easter import easter
from text_to_num import alpha2digit

MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
WEEKDAYS = {"lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6}
_MONTH = "(" + "|".join(MONTHS) + ")"


def _any(*patterns: str) -> str:
    """One pattern matching any of `patterns`, written one alternative a line."""
    return "|".join(patterns)


# Order matters: the first intent whose pattern matches wins.
INTENTS: list[tuple[str, str]] = [
    (
        "human",
        _any(
            r"\b(hablar|comunicarme|contactar|pasame|pasar) con (una |un |alguien|el |la )?(persona|humano|alguien|operador|asesor|encargad|duen|dueñ)",
            r"\bpersona real\b",
            r"\bhumano\b",
            r"\boperador\b",
        ),
    ),
    ("cancel", r"\bcancel|\banul|\bdar de baja\b|\bya no (voy|vamos|podemos ir)\b"),
    (
        "my_reservations",
        _any(
            r"\bmis? reservas?\b",
            r"\btengo (una )?reserva\b",
            r"\bestado de (mi )?reserva\b",
            r"\bque reserva tengo\b",
        ),
    ),
    ("pay", r"\bpag(ar|o|arla|arlo|ue)\b|\blink de pago\b|\bsena\b|\bmercado ?pago\b|\btransferencia\b"),
    (
        "price",
        _any(
            r"\bprecio",
            r"\bcuanto (sale|cuesta|esta|es|seria|saldria|vale)",
            r"\btarifa",
            r"\bvalor\b",
            r"\bcosto\b",
            r"\bcotiza",
        ),
    ),
    (
        "reserve",
        _any(
            r"\breserv",
            r"\bquiero (la|una|el) (cabana|casa|depto)",
            r"\bagendar\b",
            r"\bla tomo\b",
            r"\bme la quedo\b",
            r"\bbloquear\b",
        ),
    ),
    (
        "availability",
        _any(
            r"\bdisponib",
            r"\blibres?\b",
            r"\bhay lugar",
            r"\btenes lugar",
            r"\btienen lugar",
            r"\bhay (alguna )?cabana",
            r"\btienen (alguna )?cabana",
            r"\bhay algo\b",
            r"\bhay cupo",
            r"\btenes algo",
            r"\btienen algo\b",
        ),
    ),
    (
        "info",
        _any(
            r"\bwi-?fi\b",
            r"\bpileta\b",
            r"\bpiscina\b",
            r"\bparrilla\b",
            r"\bmascota",
            r"\bperro",
            r"\bgato\b",
            r"\bubicacion\b",
            r"\bdonde (queda|quedan|estan|esta)\b",
            r"\bdireccion\b",
            r"\bfotos?\b",
            r"\bcheck.?(in|out)\b",
            r"\bhorario",
            r"\bservicios\b",
            r"\bque incluye",
            r"\bdesayuno\b",
            r"\bestacionamiento\b",
            r"\bcochera\b",
            r"\breglas\b",
            r"\bcomodidades\b",
            r"\bcuantos (cuartos|dormitorios|banos)\b",
        ),
    ),
    ("help", r"\bayuda\b|\bque (podes|puedo|sabes) hacer\b|\bcomo funciona\b|\bopciones\b|\bmenu\b"),
    (
        "thanks",
        _any(
            r"\bgracias\b",
            r"\bchau\b",
            r"\badios\b",
            r"\bhasta (luego|pronto|manana)\b",
            r"\bnos vemos\b",
            r"\bbuenisimo\b",
            r"\bperfecto\b",
        ),
    ),
    (
        "greeting",
        _any(
            r"\bhola\b",
            r"\bholis\b",
            r"\bbuen(os|as) (dias|tardes|noches)\b",
            r"\bbuenas\b",
            r"\bque tal\b",
            r"\bbuen dia\b",
        ),
    ),
]
_COMPILED = [(name, re.compile(pattern)) for name, pattern in INTENTS]


@dataclass(frozen=True)
class Parse:
    intent: str
    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    guests: int | None = None
    accommodation: str | None = None  # slug


def normalize(text: str) -> str:
    """Lower case, no accents (ñ -> n), numbers in words as digits, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"[¿?¡!,.;:()\"']+", " ", text)
    text = re.sub(r"\buna noche\b", "1 noche", text)
    text = re.sub(r"\buna semana\b", "7 noches", text)
    text = re.sub(r"\b(un|una|uno)\b", r"q\1q", text)  # articles stay words: "una pareja" is not 1
    text = alpha2digit(text, "es", threshold=0)  # "dos noches" too, not only numbers above 3
    text = re.sub(r"\bq(un|una|uno)q\b", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def intent_of(text: str) -> str:
    return next((name for name, pattern in _COMPILED if pattern.search(text)), "unknown")


def guests_of(text: str) -> int | None:
    parts = re.findall(
        r"(\d+) (?:adultos?|mayores|grandes)(?: y (\d+) (?:ninos?|nenes?|chicos?|menores|bebes?|hijos?))?", text
    )
    if parts:
        return sum(int(a) + int(b or 0) for a, b in parts)
    for pattern in (
        r"\bsomos (?:una familia de |un grupo de )?(\d+)\b",
        r"\b(\d+) (?:personas?|pers|pax|huespedes|personitas)\b",
        r"\bpara (\d+)\b(?! de\b| ?/| noches?\b| dias?\b| ?(?:am|pm|hs)\b)",
        r"\b(?:familia|grupo) de (\d+)\b",
        r"\bseriamos (\d+)\b",
    ):
        if (m := re.search(pattern, text)) and 0 < int(m.group(1)) <= 50:
            return int(m.group(1))
    if re.search(
        r"\b(una pareja|mi (pareja|novi[oa]|espos[oa]|mujer|marido) y yo|con mi (pareja|novi[oa]|espos[oa]|mujer|marido))\b",
        text,
    ):
        return 2
    if re.search(r"\b(yo solo|yo sola|solo yo|voy solo|voy sola)\b", text):
        return 1
    return None


def nights_of(text: str) -> int | None:
    m = re.search(r"\b(\d+) noches?\b", text)
    return int(m.group(1)) if m and 0 < int(m.group(1)) <= 60 else None


def _future(day: int, month: int, today: date, year: int | None = None) -> date | None:
    """That day of that month, this year or (already past) the next."""
    try:
        if year:
            year = year if year > 100 else 2000 + year
            return date(year, month, day) if year < MAXYEAR else None  # no stay ends within year 9999
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _night_of(day: int, month: int, today: date) -> tuple[date, date]:
    """The night of a date every year has (New Year's Eve), this year or (already past) the next."""
    night = date(today.year, month, day)
    night = night if night >= today else date(today.year + 1, month, day)
    return night, night + timedelta(days=1)


def _next_weekday(weekday: int, today: date) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def holidays(year: int) -> set[date]:
    """Argentina's national holidays that make long weekends (fixed dates, Carnival, Easter)."""
    fixed = [
        (1, 1),
        (3, 24),
        (4, 2),
        (5, 1),
        (5, 25),
        (6, 17),
        (6, 20),
        (7, 9),
        (8, 17),
        (10, 12),
        (11, 20),
        (12, 8),
        (12, 25),
    ]
    sunday = easter(year)
    movable = [sunday - timedelta(days=48), sunday - timedelta(days=47), sunday - timedelta(days=2)]
    return {date(year, m, d) for m, d in fixed} | set(movable)


def _long_weekend(today: date) -> tuple[date, date]:
    days = holidays(today.year) | holidays(today.year + 1)
    saturday = _next_weekday(5, today)
    for _ in range(60):
        friday, monday = saturday - timedelta(days=1), saturday + timedelta(days=2)
        if monday in days:
            return friday, monday + timedelta(days=1) if monday + timedelta(days=1) in days else monday
        if friday in days:
            return friday - timedelta(days=1), saturday + timedelta(days=1)
        saturday += timedelta(days=7)
    return saturday - timedelta(days=1), saturday + timedelta(days=1)


def _weekend(today: date, following: bool) -> tuple[date, date]:
    """Friday to Sunday. "Este": the coming one (Saturday counts as this weekend);
    "el próximo": the coming one, or the next when it is already the weekend."""
    weekday = today.weekday()
    if weekday == 5 and not following:
        return today, today + timedelta(days=1)
    friday = _next_weekday(4, today)
    if following and weekday >= 4:
        friday = friday + timedelta(days=7) if weekday == 4 else friday
    return friday, friday + timedelta(days=2)


def dates_of(text: str, today: date) -> tuple[date | None, date | None]:
    """(check-in, check-out) when the text says them; either may be None."""
    if re.search(r"\b(finde|fin de semana) largo\b", text):
        return _long_weekend(today)
    if re.search(r"\b(proximo|siguiente) (finde|fin de semana)\b|\b(finde|fin de semana) que viene\b", text):
        return _weekend(today, following=True)
    if re.search(r"\b(este|el|para el|este proximo) (finde|fin de semana)\b|\bfinde\b", text):
        return _weekend(today, following=False)
    if re.search(r"\bano nuevo\b", text):
        return _night_of(31, 12, today)
    if re.search(r"\bnavidad\b", text):
        return _night_of(24, 12, today)
    if re.search(r"\bsemana santa\b", text):
        sunday = easter(today.year) if easter(today.year) >= today else easter(today.year + 1)
        return sunday - timedelta(days=3), sunday
    # "del 15 al 18 de diciembre", "del 28 de diciembre al 2 de enero", "del 15/12 al 18/12"
    span = re.search(
        rf"\b(?:del?|desde el|entre el) (\d{{1,2}})(?:/(\d{{1,2}}))?(?: de {_MONTH})?"  # from
        rf" (?:al|hasta el|y el|-) (\d{{1,2}})(?:/(\d{{1,2}}))?(?: de {_MONTH})?(?: de (\d{{4}}))?",  # to
        text,
    )
    if span:
        d1, m1n, m1w, d2, m2n, m2w, year = span.groups()
        named = re.search(_MONTH, text)  # "en enero, del 3 al 7"
        month2 = int(m2n) if m2n else MONTHS.get(m2w or "", 0) or (MONTHS[named.group(1)] if named else 0)
        month1 = int(m1n) if m1n else MONTHS.get(m1w or "", 0) or month2
        if not month2:
            month2 = month1
        if month1 and month2:
            start = _future(int(d1), month1, today, int(year) if year else None)
            end = _future(int(d2), month2, start, int(year) if year else None) if start else None
            if start and end and end <= start:
                end = _future(int(d2), month2, start + timedelta(days=1))
            return start, end
        if not month1:  # "del 15 al 18": this month, or the next when already past
            start = _future_day(int(d1), today)
            end = _future_day(int(d2), start) if start else None
            return start, end
    single = re.search(rf"\b(\d{{1,2}})(?:/(\d{{1,2}})| de {_MONTH})\b", text)
    if single:
        day, month_n, month_w = single.groups()
        return _future(int(day), int(month_n) if month_n else MONTHS[month_w], today), None
    if m := re.search(r"\b(pasado manana|manana|hoy)\b", text):
        offset = {"hoy": 0, "manana": 1, "pasado manana": 2}[m.group(1)]
        return today + timedelta(days=offset), None
    if m := re.search(
        r"\b(?:el|este|desde el|para el|a partir del?) (lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b", text
    ):
        return _next_weekday(WEEKDAYS[m.group(1)], today), None
    if m := re.search(r"\b(?:el|para el|desde el) (\d{1,2})\b(?! (?:personas?|noches?|adultos?))", text):
        return _future_day(int(m.group(1)), today), None
    return _dateparser(text, today), None


def _future_day(day: int, today: date) -> date | None:
    """That day of this month, or of the next when already past."""
    for months_ahead in range(3):
        month = (today.month - 1 + months_ahead) % 12 + 1
        year = today.year + (today.month - 1 + months_ahead) // 12
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


_DATE_WORD = re.compile(rf"{_MONTH}|\bsemana que viene\b|\bdentro de\b")
_REACH = 30  # characters either side of a date word: "el lunes 3 de agosto de 2027", "dentro de dos semanas"
_PARTS = 3  # date words dateparser reads around, at most: its time grows with the text, not with what it finds


def _date_parts(text: str) -> Iterator[str]:
    """The whole words within _REACH of each month name or relative day, in order."""
    for m in _DATE_WORD.finditer(text):
        start = text.rfind(" ", 0, max(m.start() - _REACH, 0)) + 1
        end = text.find(" ", m.end() + _REACH)
        yield text[start : end if end >= 0 else len(text)]


def _dateparser(text: str, today: date) -> date | None:
    """What the rules missed, when the text names a month or a relative day: dateparser reads
    only around those words, so a long message costs it no more than a few short ones."""
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": datetime.combine(today, datetime.min.time())}
    for part in islice(_date_parts(text), _PARTS):
        if found := dateparser.search.search_dates(part, languages=["es"], settings=settings):
            return found[0][1].date() if found[0][1].year < MAXYEAR else None  # no stay ends within year 9999
    return None


def cabin_of(text: str, cabins: dict[str, str]) -> str | None:
    """The slug of the cabin the text names (by a distinctive word of its name)."""
    generic = {"cabana", "cabanas", "casa", "depto", "del", "de", "la", "el", "los", "las"}
    for slug, name in cabins.items():
        distinctive = [w for w in normalize(name).split() if w not in generic and len(w) >= 4]
        if distinctive and all(re.search(rf"\b{re.escape(w)}\b", text) for w in distinctive):
            return slug
    return None


def parse(text: str, today: date, cabins: dict[str, str] | None = None) -> Parse:
    clean = normalize(text)[:500]
    check_in, check_out = dates_of(clean, today)
    nights = nights_of(clean)
    if check_in and check_out and check_out > check_in:
        nights = (check_out - check_in).days
    elif check_in and nights:
        check_out = check_in + timedelta(days=nights)
    else:
        check_out = None
    intent = intent_of(clean)
    if intent in ("unknown", "greeting") and (check_in or nights or guests_of(clean)):
        intent = "availability"  # "hola, del 10 al 12 para 2?" asks for availability
    return Parse(intent, check_in, check_out, nights, guests_of(clean), cabin_of(clean, cabins or {}))


# One thread: dateparser keeps state between calls and is not thread-safe (scrapinghub/dateparser#441).
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")


async def parse_off_loop(text: str, today: date, cabins: dict[str, str] | None = None) -> Parse:
    """`parse` on a thread of its own: the event loop goes on serving while dateparser works."""
    return await asyncio.get_running_loop().run_in_executor(_PARSER, parse, text, today, cabins)
