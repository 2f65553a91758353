"""Properties of the Spanish NLU over generated text: it never raises, and a
stay it finds always ends after it starts (check-out > check-in, nights agree).

Bounded and reproducible: derandomized, no example database, a few hundred
examples per property."""

from collections.abc import Callable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.messaging.nlu import MONTHS, parse

SETTINGS = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CABINS = {"cabana-del-lago": "Cabaña del Lago", "casa-de-la-montana": "Casa de la Montaña"}

# The server's clock: any day of this century and the next, leap days and year ends included.
todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
# The rules read \d{1,2}: 0, 29-31 (31 de febrero), 99.
days = st.one_of(st.sampled_from([0, 1, 28, 29, 30, 31, 32]), st.integers(min_value=0, max_value=99)).map(str)
month_numbers = st.integers(min_value=0, max_value=19).map(str)
month_names = st.sampled_from([*MONTHS, "Diciembre", "ENERO", "mes"])
years = st.one_of(
    st.sampled_from([0, 1, 99, 100, 101, 1999, 2000, 2026, 2027, 9998, 9999]),  # the edges: 2-digit years, date.max
    st.integers(min_value=0, max_value=9999),
).map(lambda y: f"{y:04d}")
counts = st.one_of(st.integers(min_value=0, max_value=120).map(str), st.sampled_from(["una", "dos", "tres", "diez"]))


def _fill(template: str) -> st.SearchStrategy[str]:
    return st.fixed_dictionaries(
        {
            "d": days,
            "d2": days,
            "m": month_names,
            "m2": month_names,
            "mn": month_numbers,
            "mn2": month_numbers,
            "y": years,
            "n": counts,
        }
    ).map(lambda values: template.format(**values))


TEMPLATES = [
    "del {d} al {d2} de {m}",
    "del {d} al {d2} de {m} de {y}",
    "del {d} de {m} al {d2} de {m2}",
    "del {d} de {m} al {d2} de {m2} de {y}",
    "desde el {d} hasta el {d2}",
    "entre el {d} y el {d2} de {m}",
    "del {d}/{mn} al {d2}/{mn2}",
    "de {d} - {d2}",
    "en {m}, del {d} al {d2}",
    "el {d} de {m}",
    "{d}/{mn}",
    "el {d}",
    "para el {d}",
    "por {n} noches",
    "{n} noche",
    "somos {n}",
    "{n} adultos y {n} niños",
    "para {n} personas",
    "a partir del {d} por {n} noches",
    "{d} de {m} de {y}",
]
FRAGMENTS = [
    "hola",
    "buenas!",
    "este finde",
    "el finde largo",
    "el próximo fin de semana",
    "el finde que viene",
    "navidad",
    "año nuevo",
    "semana santa",
    "mañana",
    "pasado mañana",
    "hoy",
    "desde el viernes",
    "el sábado",
    "una semana",
    "la semana que viene",
    "dentro de 3 días",
    "dentro de dos semanas",
    "¿tienen disponibilidad?",
    "quiero reservar",
    "cuánto sale?",
    "con mi novia",
    "la cabaña del lago",
    "🏡🌲",
    "👍",
    "31 de febrero",
    "29 de febrero",
    "30 de febrero",
    "00/00",
    "99/99",
]

fragment = st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(TEMPLATES).flatmap(_fill))
STYLES: list[Callable[[str], str]] = [str, str.upper, str.title, lambda s: s.replace(" ", "  ")]
styled = st.sampled_from(STYLES)
phrases = st.tuples(st.lists(fragment, min_size=1, max_size=5).map(" ".join), styled).map(lambda p: p[1](p[0]))
noise = st.text(max_size=120)  # any unicode: emojis, other scripts, controls, digits
texts = st.one_of(
    phrases,
    noise,
    st.tuples(phrases, noise).map(" ".join),
    st.tuples(noise, phrases).map(" ".join),
)


def _check(text: str, today: date) -> None:
    got = parse(text, today, CABINS)
    assert got.check_out is None or got.check_in is not None, got
    if got.check_in is not None and got.check_out is not None:
        assert got.check_out > got.check_in, (text, today, got)
        assert got.nights == (got.check_out - got.check_in).days, (text, today, got)
    if got.nights is not None:
        assert got.nights > 0, got


@SETTINGS
@given(text=texts, today=todays)
def test_never_raises_and_check_out_is_after_check_in(text: str, today: date) -> None:
    _check(text, today)


@SETTINGS
@given(text=phrases, today=todays)
def test_spanish_date_phrases(text: str, today: date) -> None:
    _check(text, today)


@settings(SETTINGS, max_examples=100)
@given(text=st.text(max_size=3000), today=todays)
def test_arbitrary_long_text(text: str, today: date) -> None:
    _check(text, today)


MONTH_NAMES = {number: name for name, number in MONTHS.items() if name != "setiembre"}


@SETTINGS
@given(
    start=st.one_of(  # the whole calendar, and its ends (date.min, date.max) on purpose
        st.dates(), st.dates(max_value=date(1, 2, 28)), st.dates(min_value=date(9999, 11, 1))
    ),
    day2=st.integers(min_value=1, max_value=31),
    month2=st.integers(min_value=1, max_value=12),
    nights=st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
    today=todays,
)
def test_stays_with_an_explicit_year(start: date, day2: int, month2: int, nights: int | None, today: date) -> None:
    text = f"del {start.day} de {MONTH_NAMES[start.month]} al {day2} de {MONTH_NAMES[month2]} de {start.year:04d}"
    _check(text + (f" por {nights} noches" if nights else ""), today)


@SETTINGS
@given(
    day=st.integers(min_value=1, max_value=31),
    month=st.sampled_from(sorted(MONTH_NAMES.values())),
    year=st.one_of(st.sampled_from([1, 2026, 9998, 9999]), st.integers(min_value=1, max_value=9999)),
    amount=st.one_of(st.sampled_from([0, 1, 7973, 7974, 10**6]), st.integers(min_value=0, max_value=10**7)),
    unit=st.sampled_from(["dias", "semanas", "meses", "años"]),
    shape=st.integers(min_value=0, max_value=4),
    nights=st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
    today=todays,
)
def test_month_years_and_offsets(
    day: int, month: str, year: int, amount: int, unit: str, shape: int, nights: int | None, today: date
) -> None:
    text = [
        f"{month} {year}",
        f"{month} de {year}",
        f"{day} {month} {year}",
        f"{year} {month} {day}",
        f"dentro de {amount} {unit}",
    ][shape]
    _check(text + (f" por {nights} noches" if nights else ""), today)
