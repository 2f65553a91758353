"""What guests type, made uniform for the rules: lower case, no accents (ñ -> n),
stretched letters shrunk ("holaaa", "buenaaas"), shorthands spelled out ("q",
"xq", "x noche", "finde"), numbers in words as digits ("somos cuatro").

One line a shorthand in SHORTHANDS; the extractors read only the normal form."""

import re
import unicodedata

from text_to_num import alpha2digit

# What guests type -> what the rules read. Multi-word keys first matter not: longest wins.
SHORTHANDS = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "x": "por",
    "xa": "para",
    "p/": "para",
    "c/": "con",
    "d": "de",
    "tb": "tambien",
    "tmb": "tambien",
    "tbm": "tambien",
    "xfa": "por favor",
    "xfavor": "por favor",
    "porfa": "por favor",
    "porfis": "por favor",
    "plis": "por favor",
    "pls": "por favor",
    "fin de semana": "finde",
    "fines de semana": "findes",
    "fin de sem": "finde",
    "fds": "finde",
    "hrs": "hs",
    "hr": "hs",
    "grax": "gracias",
    "grs": "gracias",
    "graciass": "gracias",
    "mil gracias": "muchas gracias",  # not the year 1000
    "dsp": "despues",
    "dps": "despues",
    "bno": "bueno",
    "weno": "bueno",
    "msj": "mensaje",
    "wpp": "whatsapp",
    "wsp": "whatsapp",
    "kiero": "quiero",
    "qiero": "quiero",
    "keria": "queria",
    "qeria": "queria",
    "kisiera": "quisiera",
    "nose": "no se",
    "okey": "ok",
    "okay": "ok",
    "oki": "ok",
    "oka": "ok",
    "okis": "ok",
    "okk": "ok",
    "sip": "si",
    "sep": "si",
    "nop": "no",
    "nah": "no",
    "flia": "familia",
    "dpto": "depto",
    "departamento": "depto",
    "nro": "numero",
    "hno": "hermano",
    "hna": "hermana",
    "cabanita": "cabana",
    "cabanas": "cabanas",
    "disponivilidad": "disponibilidad",
    "disponibilida": "disponibilidad",
    "dispo": "disponibilidad",
    "wi fi": "wifi",
    "wi-fi": "wifi",
    "wiffi": "wifi",
    "check in": "checkin",
    "check-in": "checkin",
    "chek in": "checkin",
    "check out": "checkout",
    "check-out": "checkout",
    "chek out": "checkout",
    "mp": "mercadopago",
    "mercado pago": "mercadopago",
    "senia": "sena",
    "ok ok": "ok",
    # Numbers text2num reads only with their accent (veintidós), typed without it.
    "veintidos": "22",
    "veintitres": "23",
}
_SHORTHAND = re.compile(
    r"(?<![\w/])(" + "|".join(re.escape(k) for k in sorted(SHORTHANDS, key=len, reverse=True)) + r")(?![\w/])"
)
# Emojis that answer: read as the word.
EMOJIS = {"👍": " ok ", "👌": " ok ", "🙌": " ok ", "✅": " ok ", "🙏": " gracias ", "👎": " no ", "❌": " no "}
# Words text2num would turn into numbers that are not counts: articles ("una pareja"), ordinals
# ("la primera semana"), rooms ("cuartos").
_KEEP = re.compile(
    r"\b(un|una|uno|primer|primera|primero|segunda|segundo|tercer|tercera|tercero|cuarta|cuarto|cuartos|quinta|"
    r"ultima|ultimo)\b"
)


def normalize(text: str) -> str:
    """Lower case, no accents (ñ -> n), no stretched letters, shorthands spelled out, numbers in
    words as digits, single spaces; keeps / - + $ : % (dates, ranges, money, times)."""
    for emoji, word in EMOJIS.items():
        text = text.replace(emoji, word)
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"(\d)\.(\d{3})(?!\d)", r"\1\2", text)  # 45.000 -> 45000
    text = re.sub(r"(\d)[.](\d{1,2})\b", r"\1/\2", text)  # 5.1 -> 5/1
    text = re.sub(r"(?<!\d):|:(?!\d)", " ", text)
    text = re.sub(r"[¿?¡!,.;()\[\]{}\"'*_~<>=|#]+", " ", text)
    text = _shrink(text)
    text = _SHORTHAND.sub(lambda m: SHORTHANDS[m.group(1)], text)
    text = _KEEP.sub(r"q\1q", text)
    text = alpha2digit(text, "es", threshold=0)  # "dos noches" too, not only numbers above 3
    text = re.sub(r"\bq(\w+?)q\b", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _shrink(text: str) -> str:
    """ "holaaa" -> "hola", "buenaas" -> "buenas", "siii" -> "si": no Spanish word repeats a letter
    three times, nor a, i, u twice; e, o and s twice only inside a word ("leer", "cooperativa")."""
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)
    text = re.sub(r"([aiu])\1", r"\1", text)
    return re.sub(r"([eos])\1\b", r"\1", text)
