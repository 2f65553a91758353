"""Who comes: everybody (babies included), the babies among them, and the pets (never guests).

"somos 4", "para 6 personas", "2 adultos y 2 chicos", "vamos 2 parejas" (4), "2 matrimonios y
2 nenes" (6), "mi marido y yo con los 3 chicos" (5), "voy con mi hija" (2), "yo y mi señora"
(2), "somos 2 y un bebé" (3, one baby), "tengo 2 perros" (2 pets). A family named without a
count ("con mis hijos") says nothing: the dialog asks.

Read from the normal form with the side remarks blanked (remarks.py)."""

import re
from dataclasses import dataclass

from services.messaging.nlu.dates import MONTH_ABBREVIATIONS, MONTHS

_COUNT = r"(\d+|un|una|uno)"
_DATE_AFTER = r"(?:de |del )?(?:" + "|".join([*MONTHS, *MONTH_ABBREVIATIONS]) + r")\b"
# A counted word -> how many people each is (0: a baby, counted apart and in the total).
GROUPS: list[tuple[str, int]] = [
    (r"parejas?|matrimonios?", 2),
    (r"bebes?|bebitos?|bebas?|bebotes?", 0),
    (
        r"adultos?|mayores|grandes|personas?|pers|pax|huespedes|amig[oa]s?|chic[oa]s?|pibes?|nen[ea]s?|nin[oa]s?|"
        r"menores|hij[oa]s?|niet[oa]s?|sobrin[oa]s?|prim[oa]s?|adolescentes?|jovenes|abuel[oa]s?|companer[oa]s?|"
        r"herman[oa]s?|integrantes|chiquitos?|peques|varones|mujeres|hombres|viajeros",
        1,
    ),
]
# "una persona" is somebody else ("hablar con una persona"); "para una persona" is _ALONE.
_GROUP = re.compile(
    rf"\b(\d+|(?:un|una|uno)(?! (?:personas?|pax|huesped)\b)) (?:(?:mas|otr[oa]s|de mis|de los|de las) )?({'|'.join(p for p, _ in GROUPS)})\b"
)
# One person each when named with "mi", "con mi", "el", "la": "mi marido", "con la nena".
RELATIVES = (
    r"marido|esposo|esposa|mujer|senora|senor|novio|novia|pareja|hijo|hija|mama|papa|madre|padre|suegr[oa]|"
    r"herman[oa]|amig[oa]|nen[ea]|bebe|beba|abuel[oa]|prim[oa]|ti[oa]|sobrin[oa]|cunad[oa]|niet[oa]|companer[oa]|"
    r"vieja|viejo|gorda|gordo|flaca|flaco|jermu|cumpa"
)
_RELATIVE = re.compile(
    rf"\b(?:mi|con mi|y mi|el|la|con el|con la|su|y su|con su|nuestro|nuestra|y nuestro|y nuestra) ({RELATIVES})\b(?! de\b)"
)
# Two people each: "voy con mis viejos" is 3.
_PAIR = re.compile(r"\b(?:mis|con mis|y mis|a mis|los|con los|y los|mas los) (?:viejos|padres|suegros|abuelos)\b")
# Groups of a size: "vamos 2 familias de 4" is 8 people.
_SIZED_GROUPS = re.compile(r"\b(\d+) (?:familias|grupos) de (\d+)\b")
# Family named without a count: nobody can say how many.
_UNCOUNTED = re.compile(
    r"\b(?:mis|los|las|con los|con las|nuestros|nuestras) (?:hijos|hijas|chicos|nenes|ninos|nietos)\b"
)
_TOTAL = re.compile(
    r"\b(?:somos|seriamos|seremos|vamos|iriamos|viajamos|vendriamos|estariamos|vamos a ser|seria para|es para|"
    r"en total|un total de|total|grupo de|familia de|somos un grupo de|somos una familia de|para|reserva para|"
    r"lugar para|cabana para|capacidad para)"
    rf" (?:los mismos |las mismas |los |nosotros |nosotras )?(\d+)\b(?! (?:noches?|dias?|semanas?|hs|am|pm|y medi|{_DATE_AFTER})| ?/)"
)
_TOTAL_AFTER = re.compile(r"\b(\d+) en total\b")
# After a total, a count that corrects it: "somos 4, no perdón 5", "para 3, mejor 4".
_RESTATED = re.compile(
    r"\b(?:no|perdon|perdona|mejor|digo|quise decir|me equivoque|corrijo)"
    rf"(?: (?:no|perdon|perdona|mejor|digo|somos|seriamos|seremos|son|para))* (\d+)\b(?! ?(?:/|{_DATE_AFTER}|noches?|dias?|semanas?|hs|am|pm|de ))"
)
_ALONE = re.compile(
    r"\b(?:para una persona|una sola persona|yo solo|yo sola|solo yo|voy solo|voy sola|viajo solo|viajo sola|solo para mi|para mi solo|para mi sola)\b"
)
_COUPLE = re.compile(r"\b(?:en pareja|somos pareja)\b")
_PETS = re.compile(
    rf"\b(?:{_COUNT}|mis \d+|mi|con mi|con el|con la|y el|y la|y mi|al|a mi|nuestro|nuestra) (perr[oa]s?|perrit[oa]s?|gat[oa]s?|gatit[oa]s?|mascotas?)\b"
)
_WORD_COUNTS = {"un": 1, "una": 1, "uno": 1}


@dataclass(frozen=True)
class Party:
    guests: int | None = None
    babies: int | None = None
    pets: int | None = None


def _count(word: str) -> int:
    return _WORD_COUNTS.get(word) or int(word)


def pets_of(text: str) -> int | None:
    """ "tengo 2 perros", "con el perro", "un perro y una gata": how many pets come."""
    counts = [int(d.group(0)) if (d := re.search(r"\d+", m.group(0))) else 1 for m in _PETS.finditer(text)]
    return sum(counts) if counts else None


def party_of(text: str) -> Party:
    pets = pets_of(text)
    text = _PETS.sub(" ", text)
    text = _SIZED_GROUPS.sub(lambda m: f"{int(m.group(1)) * int(m.group(2))} personas", text)
    babies = 0
    grouped = 0
    for count, word in _GROUP.findall(text):
        per = next(n for pattern, n in GROUPS if re.fullmatch(pattern, word))
        grouped += _count(count) * (per or 1)
        babies += _count(count) if per == 0 else 0
    relatives = _RELATIVE.findall(_GROUP.sub(" ", text))
    babies += sum(1 for r in relatives if r in ("bebe", "beba"))
    guests = _guests(text, grouped, _named(text))
    if guests is not None and (not 0 < guests <= 50 or guests <= babies):
        guests = None  # only babies named: "¿tiene cuna para el bebé?" says nothing of the party
    return Party(guests, babies or None, pets)


def _guests(text: str, grouped: int, relatives: int) -> int | None:
    # The last total said: "para 3 no, somos 4" is 4; "somos 4, no perdón 5" is 5.
    found = [m for m in _TOTAL.finditer(text) if not _group_at(text, m.end(1))]
    found += [*_TOTAL_AFTER.finditer(text)]
    if found:
        found += [m for m in _RESTATED.finditer(text) if m.start() >= min(f.end(1) for f in found)]
    total = int(max(found, key=lambda m: m.start(1)).group(1)) if found else None
    if total is not None:
        plus = re.search(rf"\b(?:somos|seriamos|vamos) {total} (?:y|mas|\+) ", text)
        if plus and re.match(rf"{_COUNT} ", text[plus.end() :] + " "):
            return total + grouped  # "somos 2 y un bebé"
        if plus:  # "somos 3 más el bebé", "somos 2 y mi mamá": those named after the total
            return total + grouped + _named(text[plus.end() :])
        return max(total, grouped)
    if _ALONE.search(text):
        return 1
    if _UNCOUNTED.search(text) and not grouped:
        return None
    if _COUPLE.search(text):
        return 2
    named = grouped + relatives
    return named + (1 if _speaks(text) else 0) if named else None


def _named(text: str) -> int:
    """People named without a count: "mi marido" one, "mis viejos" two."""
    return len(_RELATIVE.findall(_GROUP.sub(" ", text))) + 2 * len(_PAIR.findall(text))


def _speaks(text: str) -> bool:
    """Whether the one writing is among those named: "yo", or going "con" somebody ("vamos con mi
    novia", "voy con 3 amigas") when nobody was counted before the "con" ("2 adultos con 2 chicos")."""
    if re.search(r"\byo\b", text):
        return True
    before, found, _ = text.partition(" con ")
    if not found and not text.startswith("con "):
        return False
    before = "" if text.startswith("con ") else before
    return not (_GROUP.search(before) or _RELATIVE.search(before) or re.search(r"\b(?:somos|seriamos) \d", before))


def _group_at(text: str, index: int) -> bool:
    """A count followed by who they are ("vamos 2 parejas") is a group, not a total."""
    return bool(re.match(rf" (?:{'|'.join(p for p, _ in GROUPS)})\b", text[index:]))
