"""The cabin a message names: its whole name ("la cabaña del bosque"), the part after its first
word ("la del bosque", "dale la grande", "la de la montaña"), or a first word that is a name
itself ("el refugio" for "Refugio del Bosque"), after "la" or "el"; a word of a name alone names
nothing ("¿qué tan cerca está del lago?")."""

import re
from collections.abc import Mapping

from services.messaging.nlu.normalize import normalize

# First words that say what kind of place it is, not which: "la cabaña" names no cabin.
KINDS = frozenset({"cabana", "casa", "depto", "loft", "chalet", "domo", "suite", "casita", "complejo"})
# An article the owner put in the name ("La Casa Grande") is no word of it: "la grande" names it.
ARTICLES = frozenset({"la", "el", "los", "las"})


def _names(name: str) -> list[str]:
    """How a guest calls the cabin `name`: "cabana del lago", "la del lago", "el refugio"."""
    words = normalize(name).split()
    said = [" ".join(words)]
    while len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    said.append(" ".join(words))
    for part in (" ".join(words[1:]), words[0] if len(words) > 1 and words[0] not in KINDS else ""):
        said += [f"la {part}", f"el {part}", f"al {part}"] if part else []  # "al refugio": a + el
    return said


def cabin_of(text: str, cabins: Mapping[str, str]) -> str | None:
    """The slug of the cabin `text` (normal form) names; with several, the longest name said."""
    best: tuple[int, str] | None = None
    for slug, name in cabins.items():
        for said in _names(name):
            if re.search(rf"\b{re.escape(said)}\b", text) and (best is None or len(said) > best[0]):
                best = (len(said), slug)
    return best[1] if best else None
