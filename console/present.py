"""How the console writes values for people (es-AR): pesos, dates as people say them, names, phones.
Pure functions, registered as template filters."""

import re
from datetime import date, datetime, tzinfo

WEEKDAYS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def pesos(amount_minor: int) -> str:
    """8_500_000 -> "$85.000"; centavos only when there are some ("$85.000,50")."""
    sign = "-" if amount_minor < 0 else ""
    whole, cents = divmod(abs(amount_minor), 100)
    text = f"{whole:,}".replace(",", ".")
    return f"{sign}${text}" + (f",{cents:02d}" if cents else "")


_PESOS = re.compile(r"\$?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?")


def parse_pesos(text: str) -> int:
    """What a person types as an amount, in centavos: "85.000", "85000", "$ 85.000,50", "85000,5".
    The dot groups thousands and the comma starts centavos, as in Argentina; ValueError otherwise
    (a negative amount, "85,000" or "85.00": ambiguous, better asked again than guessed)."""
    found = _PESOS.fullmatch("".join(text.split()))
    if not found:
        raise ValueError(f"not an amount in pesos: {text[:40]!r}")
    whole, cents = found.group(1).replace(".", ""), (found.group(2) or "0").ljust(2, "0")
    return int(whole) * 100 + int(cents)


def spoken_date(value: date) -> str:
    """date(2025, 12, 5) -> "vie 5 de dic"."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} de {MONTHS[value.month - 1]}"


def clock(value: datetime, zone: tzinfo) -> str:
    """The time of day in `zone`, 24-hour ("14:35")."""
    return value.astimezone(zone).strftime("%H:%M")


def first_name(full_name: str) -> str:
    """What a viewer (the cleaning team) sees of a guest: "Ana Pérez" -> "Ana"."""
    return full_name.split(maxsplit=1)[0] if full_name.strip() else ""


def whatsapp_link(phone: str) -> str:
    """https://wa.me/<digits> for an E.164 phone; empty when it has no digits."""
    digits = re.sub(r"\D", "", phone)
    return f"https://wa.me/{digits}" if digits else ""


def ago(value: datetime, now: datetime) -> str:
    """How long ago, as the owner says it: "hace un momento", "hace 12 min", "hace 3 h", "hace 2 días"."""
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return "hace un momento"
    if seconds < 3600:
        return f"hace {seconds // 60} min"
    if seconds < 86400:
        return f"hace {seconds // 3600} h"
    days = seconds // 86400
    return f"hace {days} {'día' if days == 1 else 'días'}"


def when(value: datetime, zone: tzinfo, now: datetime) -> str:
    """A message's time: "14:35" today, "vie 5 de dic 14:35" another day (in `zone`)."""
    local = value.astimezone(zone)
    hour = local.strftime("%H:%M")
    return hour if local.date() == now.astimezone(zone).date() else f"{spoken_date(local.date())} {hour}"


def snippet(text: str, limit: int = 90) -> str:
    """One line of at most `limit` characters for a list, cut at a word with "…"."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"


def days_left(days: int) -> str:
    """Days from today to check-in as the owner says them: "Faltan 10 días", "Falta 1 día",
    "Llega hoy", "Llegó hace 2 días"."""
    if days > 1:
        return f"Faltan {days} días"
    if days == 1:
        return "Falta 1 día"
    if days == 0:
        return "Llega hoy"
    return f"Llegó hace {-days} {'día' if days == -1 else 'días'}"
