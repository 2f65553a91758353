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
