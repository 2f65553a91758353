"""The stay a message names: check-in, check-out, nights, a month named without days, and a
date taken back ("no, el 7 no, el 8").

Read from the normal form with the side remarks already blanked (remarks.py). First the named
periods (PERIODS: "el finde largo", "semana santa", "la primera semana de marzo", "el finde del
20"), then the dates themselves ("del 5 al 8", "4/2 al 9/2", "llego el jueves 14 y me voy el
domingo 17", "de sábado a lunes", "entre navidad y año nuevo"): the first date is the check-in,
the next one the check-out when a word between them says so ("al", "hasta", "y me voy el"), and a
lone date after "hasta", "me voy el" is a check-out alone. A day without a month takes the
month of the date beside it, or of a month named elsewhere ("en enero, del 3 al 7"), or this
month (the next when already past). A date already past this year means next year; a check-out
is always after its check-in.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta

from dateutil.easter import easter

from services.messaging.nlu import long_weekends

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
# Only after a day ("del 3 al 6 de mar"): alone, "mar" is the sea.
MONTH_ABBREVIATIONS = {
    "ene": 1,
    "feb": 2,
    "mar": 3,
    "abr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "ago": 8,
    "sep": 9,
    "sept": 9,
    "set": 9,
    "oct": 10,
    "nov": 11,
    "dic": 12,
}
WEEKDAYS = {"lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6}
ORDINALS = {"primera": 1, "primer": 1, "1ra": 1, "segunda": 2, "2da": 2, "tercera": 3, "3ra": 3, "cuarta": 4, "4ta": 4}

_ALL_MONTHS = {**MONTHS, **MONTH_ABBREVIATIONS}
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_ANY_MONTH = "(?:" + "|".join(sorted(_ALL_MONTHS, key=len, reverse=True)) + ")"
_WEEKDAY = "(?:" + "|".join(WEEKDAYS) + ")"
_ORDINAL = "(?:" + "|".join(ORDINALS) + "|ultima)"

# Words after a number that make it no day: "2 personas", "3 noches", "4 adultos".
_UNIT = (
    r"\s*(?:personas?|pers|pax|huespedes|noches?|dias?|adultos?|mayores|grandes|chic[oa]s?|nen[ea]s?|nin[oa]s?|"
    r"menores|bebes?|hij[oa]s?|amig[oa]s?|parejas?|matrimonios?|familias?|perr[oa]s?|gat[oa]s?|mascotas?|semanas?|"
    r"meses|camas?|cuartos|habitaciones|banos|dormitorios|lugares|autos?|en total|mas|nietos|sobrinos|primos)\b"
)
_ATOM = re.compile(
    rf"""
    (?P<num>(?P<nd>\d{{1,2}})/(?P<nm>\d{{1,2}})(?:/(?P<ny>\d{{4}}|\d{{2}}))?)(?![\d/])
    | (?P<wd>{_WEEKDAY})(?:\s+(?P<wdd>\d{{1,2}})\b(?!{_UNIT})(?:\s+(?:de\s+)?(?P<wdm>{_ANY_MONTH})\b)?)?
    | (?P<dmd>\d{{1,2}})\s+(?:de\s+|del\s+)?(?P<dmm>{_ANY_MONTH})\b(?:\s+(?:de\s+|del\s+)?(?P<dmy>\d{{4}})\b)?
    | (?P<rel>pasado\s+manana|manana|hoy|esta\s+noche)\b
    | (?P<named>nochebuena|navidad|ano\s+nuevo|fin\s+de\s+ano|reyes)\b
    | (?P<bare>\d{{1,2}})\b(?![/:]|{_UNIT})
    """,
    re.VERBOSE,
)
# What goes before a day number for it to be a day ("el 8", "del 5", "hasta el 9").
_DAY_CUE = re.compile(
    r"\b(?:el|del|al|desde|hasta|entre|dia|los dias|a partir del?|para el|y el|llego el|llegamos el|me voy el)\s*$"
)
_RANGE_AFTER = re.compile(rf"^\s*(?:al|a|-|hasta(?: el)?|y el)\s*\d{{1,2}}(?:/\d{{1,2}})?\b(?!{_UNIT})")
# Between two dates, what makes the second the check-out.
_END_CUE = re.compile(
    r"(?:\bal|\ba|-|\bhasta|\by|\bvuelta|\bsalida|\bsalimos|\bsalgo|\bnos vamos|\bme voy|\bnos iriamos|\bme iria|"
    r"\bvolvemos|\bvuelvo|\bregresamos|\bregreso|\begreso|\bcheckout|\bdejamos(?: la cabana)?|\bnos volvemos|"
    r"\bme vuelvo|\bpartimos|\bretiramos)"
    r"(?:\s+(?:el|la|del|los|a la|de|el dia))?\s*$"
)
# Before a lone date, what makes it a check-out ("hasta el domingo", "me voy el 8").
_LONE_END_CUE = re.compile(
    r"(?:\bhasta|\bsalida|\bsalimos|\bsalgo|\bnos vamos|\bme voy|\bnos iriamos|\bme iria|\bvolvemos|\bvuelvo|"
    r"\bregresamos|\bregreso|\begreso|\bcheckout|\bdejamos(?: la cabana)?|\bnos volvemos|\bme vuelvo|\bpartimos|"
    r"\bretiramos|\bsalir)(?:\s+(?:el|la|del|los|a la|de|el dia))?\s*$"
)
_START_CUE = re.compile(
    r"(?:\bdel|\bdesde|\bentre|\bllego|\bllegamos|\bllegariamos|\bllegaria|\bentramos|\bentro|\bingreso|"
    r"\bingresamos|\bcheckin|\ba partir|\barrancamos|\bvenimos|\bvamos|\bllegando|\bentrando)"
    r"(?:\s+(?:el|la|del|de|los|el dia))?\s*$"
)
_AHEAD = re.compile(r"\b(?:proximo|que viene)\s*$|^\s*que viene\b")


@dataclass(frozen=True)
class Stay:
    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    month: int | None = None  # a month named without days
    rejected: date | None = None  # "no, el 7 no, el 8": the 7


@dataclass(frozen=True)
class _Atom:
    """One date as written, before it is placed on the calendar."""

    start: int
    end: int
    groups: dict[str, str]
    before: str  # the text between the previous date (or the start) and this one
    ahead: bool = False  # "el próximo sábado", "el sábado que viene"

    @property
    def month(self) -> int | None:
        g = self.groups
        if g.get("nm"):
            return int(g["nm"]) if 1 <= int(g["nm"]) <= 12 else None
        word = g.get("dmm") or g.get("wdm")
        return _ALL_MONTHS[word] if word else None


# Named periods ---------------------------------------------------------------

Resolver = Callable[[re.Match[str], date], Stay]


def _period(check_in: date | None, check_out: date | None, month: int | None = None) -> Stay:
    return Stay(check_in, check_out, month=month)


def _long_weekend(m: re.Match[str], today: date) -> Stay:
    what = (m.group("what") or "").strip()
    month = MONTHS.get(what)
    found = long_weekends.next_run(today, month=month, holiday=_HOLIDAY_NAMES.get(what, ""))
    return _period(*found) if found else Stay(month=month)


# "el finde largo de carnaval": the word guests say -> a word of the holiday's name in the calendar.
_HOLIDAY_NAMES = {
    "carnaval": "Carnaval",
    "semana santa": "Santo",
    "pascua": "Santo",
    "pascuas": "Santo",
    "la independencia": "Independencia",
    "9 de julio": "Independencia",
    "san martin": "San Martín",
    "la soberania": "Soberanía",
    "la virgen": "Inmaculada",
    "8 de diciembre": "Inmaculada",
    "25 de mayo": "Mayo",
    "1 de mayo": "Trabajo",
    "12 de octubre": "Diversidad",
    "24 de marzo": "Memoria",
    "malvinas": "Malvinas",
    "guemes": "Güemes",
    "belgrano": "Belgrano",
    "la bandera": "Belgrano",
}
_WHAT = "|".join(sorted([*_HOLIDAY_NAMES, *MONTHS], key=len, reverse=True))


def _easter(_: re.Match[str], today: date) -> Stay:
    """Jueves Santo to Easter Sunday, this year's or (already past) next year's."""
    sunday = easter(today.year)
    sunday = sunday if sunday > today else easter(today.year + 1)
    return _period(max(sunday - timedelta(days=3), today), sunday)


def _nth_week(m: re.Match[str], today: date) -> Stay:
    """ "la primera semana de marzo": days 1-7 (check-out the 8th); "la última": its last 7 days."""
    month = MONTHS[m.group("m")]
    first = _future(1, month, today.replace(day=1))
    if first is None:
        return Stay()
    if m.group("nth") == "ultima":
        end = _first_of_next_month(first)
        return _period(end - timedelta(days=7), end)
    start = first + timedelta(days=7 * (ORDINALS[m.group("nth")] - 1))
    return _period(start, start + timedelta(days=7))


def _fortnight(m: re.Match[str], today: date) -> Stay:
    """ "la primera quincena de enero": the 1st to the 16th; "la segunda": the 16th to the 1st."""
    first = _future(1, MONTHS[m.group("m")], today.replace(day=1))
    if first is None:
        return Stay()
    middle = first.replace(day=16)
    return _period(first, middle) if ORDINALS.get(m.group("nth")) == 1 else _period(middle, _first_of_next_month(first))


def _next_week(_: re.Match[str], today: date) -> Stay:
    """ "la semana que viene": next Monday to the Monday after."""
    monday = today + timedelta(days=7 - today.weekday())
    return _period(monday, monday + timedelta(days=7))


def _weekend_of_day(m: re.Match[str], today: date) -> Stay:
    """ "el finde del 20": Friday to Sunday of the weekend that day is in (a Monday: the one before
    it; Tuesday to Thursday: the one after)."""
    month = _ALL_MONTHS.get(m.group("m") or "")
    day = _future(int(m.group("d")), month, today) if month else _future_day(int(m.group("d")), today)
    if day is None:
        return Stay()
    weekday = day.weekday()
    friday = day - timedelta(days=weekday - 4) if weekday >= 4 else day + timedelta(days=4 - weekday)
    friday = friday - timedelta(days=7) if weekday == 0 else friday
    return _period(max(friday, today), friday + timedelta(days=2))


def _weekend(m: re.Match[str], today: date) -> Stay:
    """Friday to Sunday. "este finde": the coming one (on Saturday, from today); "el próximo", "el
    que viene", "el siguiente": the coming one, or the next when it is already Friday or later;
    "el otro finde": the one after the coming one."""
    following, other = bool(m.group("following")), bool(m.group("other"))
    weekday = today.weekday()
    if weekday in (5, 6) and not (following or other):
        return _period(today, today + timedelta(days=6 - weekday) if weekday == 5 else today + timedelta(days=1))
    friday = today + timedelta(days=(4 - weekday) % 7)
    if (following and weekday == 4) or other:  # on Saturday and Sunday the coming Friday is already next week's
        friday += timedelta(days=7)
    return _period(friday, friday + timedelta(days=2))


def _in_days(m: re.Match[str], today: date) -> Stay:
    """ "dentro de 2 semanas", "en 10 dias": that day."""
    days = int(m.group("n")) * (7 if m.group("u").startswith("semana") else 1)
    return _period(today + timedelta(days=days), None) if days <= 730 else Stay()


def _winter_break(m: re.Match[str], today: date) -> Stay:
    """The winter school break of the province named, when its calendar is known; else July
    (the dialog asks which days)."""
    text = m.string
    for (year, province), (first, last) in WINTER_BREAKS.items():
        if year >= today.year and first > today and re.search(province, text):
            return _period(first, last)
    return Stay(month=7)


# Each province publishes its school calendar late in the year before: one line a year and province.
WINTER_BREAKS = {
    (2026, r"\b(?:provincia de buenos aires|pba|bs ?as|buenos aires|provincia)\b"): (
        date(2026, 7, 20),
        date(2026, 7, 31),
    ),
    (2026, r"\b(?:caba|capital|capital federal|ciudad)\b"): (date(2026, 7, 20), date(2026, 7, 31)),
}

# Order matters: the first period found is the one read.
PERIODS: list[tuple[str, Resolver]] = [
    (
        rf"\bfindes? largos?(?: (?:de|del|para|en)(?: el| la)? (?P<what>{_WHAT})\b)?|\b(?:el |este |proximo )feriado\b",
        _long_weekend,
    ),
    (r"\bsemana santa\b|\bpascuas?\b", _easter),
    (r"\b(?:el )?(?P<what>carnaval)(?:es)?\b", _long_weekend),
    (r"\bvacaciones de invierno\b|\breceso invernal\b", _winter_break),
    (rf"\b(?P<nth>{_ORDINAL}) semana de (?P<m>{_MONTH})\b", _nth_week),
    (rf"\b(?P<nth>primera|1ra|segunda|2da) quincena de (?P<m>{_MONTH})\b", _fortnight),
    (r"\b(?:la )?semana (?:que viene|proxima|siguiente)\b|\b(?:la )?proxima semana\b", _next_week),
    (rf"\bfinde (?:del?|para el) (?P<d>\d{{1,2}})\b(?:(?: de)? (?P<m>{_ANY_MONTH})\b)?", _weekend_of_day),
    (
        r"\b(?P<other>otro) finde\b|\b(?P<following>proximo|siguiente) finde\b|\bfinde (?P<following2>que viene|"
        r"siguiente|proximo)\b|\bfinde\b",
        _weekend,
    ),
    (r"\b(?:dentro de|en) (?P<n>\d{1,3}) (?P<u>dias|semanas)\b", _in_days),
]
_PERIODS = [(re.compile(pattern), resolve) for pattern, resolve in PERIODS]


# The calendar ----------------------------------------------------------------


def _future(day: int, month: int, base: date, year: int | None = None) -> date | None:
    """That day of that month on or after `base` (this year or the next), or in `year`."""
    try:
        if year is not None:
            year = year if year > 100 else 2000 + year
            return date(year, month, day) if year < MAXYEAR else None  # no stay ends within year 9999
        found = date(base.year, month, day)
        if found >= base:
            return found
        return date(base.year + 1, month, day) if base.year + 1 < MAXYEAR else None
    except ValueError:
        return None


def _future_day(day: int, base: date) -> date | None:
    """That day of `base`'s month, or of the next when already past."""
    for months_ahead in range(3):
        month = (base.month - 1 + months_ahead) % 12 + 1
        year = base.year + (base.month - 1 + months_ahead) // 12
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= base:
            return found
    return None


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _weekday_with_day(weekday: int, day: int, base: date) -> date | None:
    """ "el jueves 14": the next 14th on or after `base` that is a Thursday (else just the 14th)."""
    candidate = base
    for _ in range(14):
        found = _future_day(day, candidate)
        if found is None:
            return None
        if found.weekday() == weekday:
            return found
        candidate = _first_of_next_month(found)
    return _future_day(day, base)


def _place(atom: _Atom, base: date, month: int | None, end: bool, year: str | None = None) -> date | None:
    """The date an atom names, on or after `base` (after it, for a check-out)."""
    g = atom.groups
    after = base + timedelta(days=1) if end else base
    if g.get("rel"):
        offset = {"hoy": 0, "esta noche": 0, "manana": 1}.get(" ".join(g["rel"].split()), 2)
        return base + timedelta(days=offset) if not end else None
    if g.get("named"):
        named = " ".join(g["named"].split())
        day, month_of = {
            "navidad": (25 if end else 24, 12),
            "nochebuena": (24, 12),
            "ano nuevo": (1 if end else 31, 1 if end else 12),
            "fin de ano": (1 if end else 31, 1 if end else 12),
            "reyes": (6, 1),
        }[named]
        return _future(day, month_of, after)
    if g.get("wd") and not g.get("wdd"):
        weekday = WEEKDAYS[g["wd"]]
        start = after + timedelta(days=1) if atom.ahead and not end else after
        return start + timedelta(days=(weekday - start.weekday()) % 7)
    day = int(g.get("nd") or g.get("dmd") or g.get("wdd") or g.get("bare") or 0)
    month = atom.month or month
    year = g.get("ny") or g.get("dmy") or year
    if month:
        return _future(day, month, after, int(year) if year else None)
    if g.get("wd"):
        return _weekday_with_day(WEEKDAYS[g["wd"]], day, after)
    return _future_day(day, after)


# Reading ---------------------------------------------------------------------


def _atoms(text: str) -> list[_Atom]:
    found: list[_Atom] = []
    last = 0
    for m in _ATOM.finditer(text):
        before = text[last : m.start()]
        groups = {k: v for k, v in m.groupdict().items() if v}
        cued = _DAY_CUE.search(before) or (found and _END_CUE.search(before)) or _RANGE_AFTER.match(text[m.end() :])
        if "bare" in groups and not cued:  # "somos 4" is no day; "el 4", "4 al 8" are
            continue
        ahead = bool(_AHEAD.search(before) or _AHEAD.match(text[m.end() :]))
        found.append(_Atom(m.start(), m.end(), groups, before, ahead))
        last = m.end()
    return found


_TAKEN_BACK_AFTER = re.compile(r"^\s*no\b")
_TAKEN_BACK_BEFORE = re.compile(
    r"\b(?:no(?: es| era| seria| podemos ir| puedo ir| vamos| voy)?|en vez|en lugar|no para)(?: del?| el| para el)?\s*$"
)


# Said right before a date, these correct the one before it: "del 5 al 8, perdón, al 9" ends on
# the 9; "el 5, mejor el 6" starts on the 6; "del 5 al 8, digo del 6 al 9" replaces both.
_RESTATED = re.compile(
    r"\b(?:perdon|perdona|mejor|digo|quise decir|me equivoque|corrijo|en realidad)"
    r"(?: (?:no|es|era|seria|sera|al|a|el|del|desde|hasta|para|para el|mejor|xpausex))*\s*$"
)
_RESTATED_START = re.compile(r"\b(?:del|desde|entre)\s*$")


def _corrections(atoms: list[_Atom]) -> tuple[list[_Atom], _Atom | None]:
    """("el 7 no, el 8" | "no el 7, el 8" | "en vez del 7, el 8") -> (the dates kept, the 7).
    Read on the text with its clause breaks ("xpausex"): in "el 15, no el 14" the 14 is taken back."""
    kept: list[_Atom] = []
    rejected: _Atom | None = None
    previous_taken_back = False  # its "no" came after it: "el 7 no, el 8" takes back only the 7
    for i, atom in enumerate(atoms):
        after = atoms[i + 1].before if i + 1 < len(atoms) else ""
        taken_back_after = bool(_TAKEN_BACK_AFTER.match(after))
        if kept and _RESTATED.search(atom.before):
            restarted = _RESTATED_START.search(atom.before)
            rejected = rejected or (kept[0] if restarted else kept[-1])
            kept = [atom] if restarted else [*kept[:-1], atom]
        elif taken_back_after or (_TAKEN_BACK_BEFORE.search(atom.before) and not previous_taken_back):
            if kept and kept[-1] is atoms[i - 1] and _END_CUE.search(atom.before):  # "del 10 al 13 no": both
                atom = kept.pop()
            rejected = rejected or atom
        else:
            kept.append(atom)
        previous_taken_back = taken_back_after
    return kept, rejected


def _month_named(text: str) -> int | None:
    m = re.search(rf"\b{_MONTH}\b", text)
    return MONTHS[m.group(0)] if m else None


# A length that is no stay: how far to move one ("mover la reserva una semana").
_SHIFT = re.compile(
    r"\b(?:mover|moverla|correr|correrla|adelantar|adelantarla|atrasar|atrasarla|postergar|postergarla|pasar|pasarla)"
    r"(?: (?:la|mi|nuestra) (?:reserva|estadia|fecha|fechas))? (?:\d+|una|un) (?:semanas?|dias?)\b"
)


def nights_of(text: str) -> int | None:
    """ "3 noches", "una semana", "2 semanas", "un par de noches", "por 4 dias"; 1 to 60."""
    text = _SHIFT.sub(" ", text)
    for pattern, per in (
        (r"\b(\d+) noches?\b", 1),
        (r"\b(\d+) semanas?\b(?! (?:antes|despues))", 7),
        (r"\buna semana\b(?! (?:antes|despues))", 7),
        (r"\buna noche\b", 1),
        (r"\bun par de (?:noches|dias)\b", 2),
        (r"\b(?:por|unos|son|serian|quedarnos|estar|estariamos|quedamos) (\d+) dias\b", 1),
    ):
        if m := re.search(pattern, text):
            nights = (int(m.group(1)) if m.groups() else 1) * per
            return nights if 0 < nights <= 60 else None
    return None


def stay_of(text: str, today: date, stay_start: date | None = None, answering_nights: bool = False) -> Stay:
    """The stay `text` names. `stay_start`: the check-in the conversation has so far; with
    `answering_nights` (the bot asked how many nights) a lone date is its check-out."""
    text = re.sub(r"\b(?:primero|1ro|1ero|1er|1o)\b(?= de| del| al| y| hasta|$)", "1", text)  # "del 1ro al 5 de marzo"
    period: Stay | None = None
    rest = text
    for pattern, resolve in _PERIODS:
        if m := pattern.search(text):
            period = resolve(m, today)
            rest = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
            break
    atoms, taken_back = _corrections(_atoms(rest))
    month_named = _month_named(rest)
    rejected = _place(taken_back, today, month_named, end=False) if taken_back else None
    # "no, el 7 no, el 8" when the 7 is the check-in so far: the 8 is the new check-in.
    answering_nights = answering_nights and not (rejected and rejected == stay_start)
    stay = _dated(atoms, today, stay_start, answering_nights, month_named)
    nights = nights_of(rest)
    if stay is None or (period and not (stay.check_in and stay.check_out)):
        stay = period or Stay()
        if nights and stay.check_in:  # "la semana que viene, 3 noches": the nights said
            stay = Stay(stay.check_in, None, month=stay.month)
    month = stay.month if stay.month else (month_named if not (stay.check_in or stay.check_out) else None)
    return with_nights(Stay(stay.check_in, stay.check_out, nights, month, rejected))


def _dated(
    atoms: list[_Atom], today: date, stay_start: date | None, answering_nights: bool, month_named: int | None
) -> Stay | None:
    if not atoms:
        return None
    atoms = _from_range(atoms)
    first = atoms[0]
    second = atoms[1] if len(atoms) > 1 and _END_CUE.search(atoms[1].before) else None
    if second is None:
        lone_end = _LONE_END_CUE.search(first.before) and not _START_CUE.search(first.before)
        if lone_end or (answering_nights and stay_start and not _START_CUE.search(first.before)):
            base = stay_start or today
            return Stay(None, _place(first, base, month_named, end=True))
        check_in = _place(first, today, month_named, end=False)
        if first.groups.get("named") and check_in:  # "para navidad": that night
            return Stay(check_in, check_in + timedelta(days=1))
        return Stay(check_in)
    month_in = first.month or _month_before(first, second) or month_named
    check_in = _place(first, today, month_in, end=False, year=_year_before(month_in, second))
    if check_in is None:
        return Stay()
    return Stay(check_in, _place(second, check_in, second.month, end=True))


def _from_range(atoms: list[_Atom]) -> list[_Atom]:
    """A range said after a lone date is the stay: "para fin de año, del 29/12 al 2/1"; "tengo
    reserva el 10 de enero, ¿la paso del 17 al 20?"."""
    if len(atoms) > 1 and _END_CUE.search(atoms[1].before):
        return atoms
    later = next((i for i in range(1, len(atoms) - 1) if _END_CUE.search(atoms[i + 1].before)), None)
    return atoms[later:] if later else atoms


def _year_before(month_in: int | None, second: _Atom) -> str | None:
    """ "del 2 al 5 de enero de 2028", "del 28 de diciembre al 2 de enero de 2028": the check-in's
    year from the check-out's (the year before when its month comes later)."""
    said = second.groups.get("ny") or second.groups.get("dmy")
    if not (said and month_in and second.month):
        return None
    year = int(said) if int(said) > 100 else 2000 + int(said)
    return str(year if month_in <= second.month else year - 1)


def _month_before(first: _Atom, second: _Atom) -> int | None:
    """ "del 28 al 2 de enero": the check-in's month is December."""
    month = second.month
    if not month:
        return None
    day_in = int(first.groups.get("bare") or first.groups.get("wdd") or 0)
    day_out = int(second.groups.get("nd") or second.groups.get("dmd") or second.groups.get("wdd") or 0)
    return month - 1 or 12 if day_in and day_out and day_in > day_out else month


def with_nights(stay: Stay) -> Stay:
    """Nights from the dates; a check-out from a check-in and nights; a check-out only after its check-in."""
    check_in, check_out, nights = stay.check_in, stay.check_out, stay.nights
    if check_in and check_out and check_out <= check_in:
        check_out = None
    if check_in and check_out:
        nights = (check_out - check_in).days
    elif check_in and nights:
        try:
            check_out = check_in + timedelta(days=nights)
        except OverflowError:  # the year 9999
            check_out = None
    return Stay(check_in, check_out, nights if nights and nights > 0 else None, stay.month, stay.rejected)
