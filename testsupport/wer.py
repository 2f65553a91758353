"""Word error rate of Spanish transcripts: the speech tests' bound and the speech benchmark's figure."""

import re
import unicodedata

from text_to_num import alpha2digit


def words(text: str) -> list[str]:
    """Lower-case ASCII words with numbers as digits: "Doscientos, Cabaña" and "200 cabana" compare equal."""
    text = alpha2digit(text.lower(), "es")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", text)


def edits(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance: substitutions, insertions and deletions from `ref` to `hyp`."""
    row = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(hyp) + 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ref[i - 1] != hyp[j - 1]))
    return row[-1]
