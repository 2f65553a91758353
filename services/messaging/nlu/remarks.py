"""Side remarks: what a message says that is no booking fact, taken out before the slots are
read. "a las 11 de la mañana" is no check-in tomorrow, "$45.000" and "11 5555-5555" are no
party, "R-8F3K2" is no date, "chau, buen finde" is no weekend.

One line a kind of remark in REMARKS; `strip` marks them and says which kinds it saw (a price
mentioned makes a price question; an hour, a question about times)."""

import re

_WD = r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)"
_HOUR = r"\d{1,2}(?:[:/]\d{2})?"
_DAYPART = r"(?:de|a|por|en) la (?:manana|tarde|noche|madrugada|siesta)|del mediodia|al mediodia|temprano|tardecita"

REMARKS: list[tuple[str, str]] = [
    ("code", r"\b[a-z]{1,3}-[a-z0-9]{4,10}\b"),
    ("code", r"\b(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{5,}\b"),
    ("phone", r"\+?\b\d{2,4}[ -]?\d{4}[ -]?\d{4}\b|\+\d[\d -]{8,}\d|\b\d{8,}\b"),
    ("money", r"\$ ?\d+(?: ?(?:mil|k|lucas))?|\b\d+ ?(?:mil|k|lucas|pesos|usd|dolares|dolar|euros)\b"),
    ("percent", r"\b\d+ ?(?:%|por ciento)"),
    (
        "time",
        rf"\b(?:a las|a eso de las?|tipo|tipo las|como a las|cerca de las|desde las|hasta las|antes de las|"
        rf"despues de las|pasadas las|entre las|a partir de las) {_HOUR} ?(?:hs|h|am|pm|horas)?(?: (?:{_DAYPART}))?"
        rf"(?: (?:y|o|a) (?:las )?{_HOUR} ?(?:hs|h|am|pm|horas)?)?(?=\s|$)",
    ),
    ("time", rf"\b(?:de|entre) {_HOUR} (?:a|y) {_HOUR} ?(?:hs|h|am|pm|horas)\b"),
    ("time", rf"\b{_HOUR} ?(?:hs|h|am|pm|horas)\b"),
    ("time", r"\b\d{1,2}:\d{2}\b"),
    ("time", rf"\ba las {_HOUR}\b"),
    ("daypart", rf"\b(?:{_DAYPART})\b"),
    ("age", r"\b(?:de )?\d+(?: y \d+)? (?:anos|ano|anitos|meses|mes)\b(?! nuevo)"),
    # How long before, no stay: "si cancelo con una semana de anticipación".
    ("notice", r"\b(?:con )?(?:\d+|una|un) (?:semanas?|dias?|mes|meses|horas) de (?:anticipacion|antelacion|aviso)\b"),
    (
        "place",
        r"\b(?:ruta|km|kilometro|calle|numero|piso|altura|av|avenida) \d+\b|\b\d+ ?(?:km|kms|kilometros|cuadras|metros|mts)\b",
    ),
    (
        "wish",
        r"\b(?:lindo|linda|feliz|felices|excelente|hermoso|hermosa) (?:finde|findes|dia|dias|viaje|ano nuevo|ano|"
        r"navidad|fiestas|semana|descanso|domingo|sabado)\b",
    ),
    ("wish", r"\b(?:buen|buenos|buena) (?:finde|findes|viaje|ano nuevo|ano|descanso|domingo|sabado|semana)\b"),
    (
        "later",
        r"\b(?:hablamos|te aviso|te confirmo|te escribo|les aviso|les confirmo|les escribo|te digo|nos hablamos|seguimos|lo vemos|lo charlamos) (?:manana|pasado manana)\b|\b(?:manana|pasado manana) (?:te|les) (?:aviso|confirmo|escribo|digo)\b",
    ),
    # Where they saw the cabins: "las vimos en Instagram" asks for no photos, "en internet" no wifi.
    (
        "source",
        r"\b(?:vi|vimos|encontre|encontramos|conoci|conocimos|recomendaron|pasaron|sigo|seguimos|busque|buscamos)"
        r"\b(?: \w+){0,3} (?:en|por) (?:instagram|facebook|ig|fb|google|airbnb|booking|internet|la web|tiktok|marketplace)\b",
    ),
    (
        "past",
        r"\b(?:el|la|este|esta) (?:finde|ano|semana|mes|verano|invierno|vez) pasad[oa]\b|\bhace \d+ (?:dias|semanas|meses|anos)\b|\bel ano pasado\b",
    ),
]
_COMPILED = [(kind, re.compile(pattern)) for kind, pattern in REMARKS]


def strip(text: str) -> tuple[str, frozenset[str]]:
    """`text` with each side remark replaced by a word naming its kind ("xtimex": the topics
    read "llegamos xtimex" as a question about the check-in time), and the kinds found."""
    kinds: set[str] = set()
    for kind, pattern in _COMPILED:

        def mark(_: re.Match[str], kind: str = kind) -> str:
            kinds.add(kind)
            return f" x{kind}x "

        text = pattern.sub(mark, text)
    return " ".join(text.split()), frozenset(kinds)
