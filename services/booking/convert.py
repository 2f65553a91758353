"""Protobuf <-> booking rows and domain values, in one place."""

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from cabanas.v1 import booking_pb2, common_pb2
from services.booking.errors import invalid
from services.booking.pricing import NightPrice, Quote
from services.common.pb import date_pb, day, range_pb, timestamp_pb

STATUSES = {
    "pre_reserved": common_pb2.RESERVATION_STATUS_PRE_RESERVED,
    "confirmed": common_pb2.RESERVATION_STATUS_CONFIRMED,
    "cancelled": common_pb2.RESERVATION_STATUS_CANCELLED,
    "expired": common_pb2.RESERVATION_STATUS_EXPIRED,
    "blocked": common_pb2.RESERVATION_STATUS_BLOCKED,
}
STATUS_NAMES = {v: k for k, v in STATUSES.items()}
CHANNELS = {
    "whatsapp": common_pb2.CHANNEL_WHATSAPP,
    "web": common_pb2.CHANNEL_WEB,
    "admin": common_pb2.CHANNEL_ADMIN,
    "ical": common_pb2.CHANNEL_ICAL,
}
CHANNEL_NAMES = {v: k for k, v in CHANNELS.items()}


def to_date(value: common_pb2.Date, field: str) -> date:
    try:
        return day(value)
    except ValueError:
        raise invalid("INVALID_DATE", f"{field} no es una fecha válida.") from None


def to_range(value: common_pb2.DateRange, field: str) -> tuple[date, date]:
    return to_date(value.start, f"{field}.start"), to_date(value.end, f"{field}.end")


def money(amount_minor: int, currency: str) -> common_pb2.Money:
    return common_pb2.Money(amount_minor=amount_minor, currency=currency.strip())


def nights_pb(breakdown: list[NightPrice] | list[dict[str, Any]], currency: str) -> list[booking_pb2.NightPrice]:
    out = []
    for night in breakdown:
        n = night if isinstance(night, dict) else {
            "date": night.night, "price_minor": night.price_minor, "season": night.season, "weekend": night.weekend
        }  # fmt: skip
        out.append(
            booking_pb2.NightPrice(
                date=date_pb(n["date"]),
                price=money(n["price_minor"], currency),
                season=n["season"],
                weekend=n["weekend"],
            )
        )
    return out


def quote_pb(accommodation_id: int, q: Quote) -> booking_pb2.StayQuote:
    return booking_pb2.StayQuote(
        accommodation_id=accommodation_id,
        stay=range_pb(q.check_in, q.check_out),
        nights=q.nights,
        breakdown=nights_pb(list(q.breakdown), q.currency),
        total=money(q.total_minor, q.currency),
        deposit=money(q.deposit_minor, q.currency),
        deposit_percent=q.deposit_percent,
        min_nights=q.min_nights,
    )


def reservation_pb(row: Mapping[str, Any]) -> booking_pb2.Reservation:
    currency = row["currency"]
    return booking_pb2.Reservation(
        code=row["code"],
        accommodation_id=row["accommodation_id"],
        accommodation_name=row["accommodation_name"] or "",
        stay=range_pb(row["check_in"], row["check_out"]),
        guests=row["guests"],
        guest=booking_pb2.Guest(name=row["guest_name"], phone=row["guest_phone"], email=row["guest_email"]),
        status=STATUSES[row["status"]],
        channel=CHANNELS[row["channel"]],
        nights=row["nights"],
        total=money(row["total_minor"], currency),
        deposit=money(row["deposit_minor"], currency),
        breakdown=nights_pb(row["breakdown"], currency),
        expires_at=timestamp_pb(row["expires_at"]),
        confirmed_at=timestamp_pb(row["confirmed_at"]),
        cancelled_at=timestamp_pb(row["cancelled_at"]),
        external_source=row["external_source"] or "",
        external_uid=row["external_uid"] or "",
        paid_but_unavailable=row["paid_but_unavailable"],
        created_at=timestamp_pb(row["created_at"]),
        updated_at=timestamp_pb(row["updated_at"]),
    )


def accommodation_pb(row: Mapping[str, Any]) -> booking_pb2.Accommodation:
    seasons = []
    for s in row["seasons"]:
        season = booking_pb2.SeasonalRate(
            name=s["name"], range=range_pb(s["start"], s["end"]), min_nights=s.get("min_nights", 0)
        )
        if s.get("nightly_price_minor") is not None:
            season.nightly_price.CopyFrom(money(s["nightly_price_minor"], row["currency"]))
        elif s.get("multiplier_percent") is not None:
            season.multiplier_percent = s["multiplier_percent"]
        seasons.append(season)
    return booking_pb2.Accommodation(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        type=row["type"],
        description=row["description"],
        capacity=row["capacity"],
        base_nightly_price=money(row["base_price_minor"], row["currency"]),
        weekend_multiplier_percent=row["weekend_multiplier_percent"],
        weekend_nights=row["weekend_nights"],
        seasons=seasons,
        min_nights=row["min_nights"],
        max_nights=row["max_nights"],
        deposit_percent=row["deposit_percent"],
        time_zone=row["time_zone"],
        check_in_time=row["check_in_time"],
        check_out_time=row["check_out_time"],
        amenities=row["amenities"],
        photos=row["photos"],
        location=booking_pb2.Location(**row["location"]),
        active=row["active"],
        created_at=timestamp_pb(row["created_at"]),
        updated_at=timestamp_pb(row["updated_at"]),
    )


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]


def _season_dict(s: booking_pb2.SeasonalRate) -> dict[str, Any]:
    start, end = to_range(s.range, f"season {s.name!r}")
    if not s.name or start >= end:
        raise invalid("INVALID_SEASON", f"La temporada {s.name!r} necesita nombre y un rango válido.")
    out: dict[str, Any] = {
        "name": s.name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "min_nights": s.min_nights,
    }
    kind = s.WhichOneof("price")
    if kind == "nightly_price":
        out["nightly_price_minor"] = s.nightly_price.amount_minor
    elif kind == "multiplier_percent":
        out["multiplier_percent"] = s.multiplier_percent
    return out


# Accommodation fields by proto field name: (column, converter).
_FIELDS: dict[str, tuple[str, Any]] = {
    "slug": ("slug", str),
    "name": ("name", str),
    "type": ("type", str),
    "description": ("description", str),
    "capacity": ("capacity", int),
    "base_nightly_price": ("base_price_minor", lambda m: m.amount_minor),
    "weekend_multiplier_percent": ("weekend_multiplier_percent", int),
    "weekend_nights": ("weekend_nights", list),
    "seasons": ("seasons", lambda seasons: [_season_dict(s) for s in seasons]),
    "min_nights": ("min_nights", int),
    "max_nights": ("max_nights", int),
    "deposit_percent": ("deposit_percent", int),
    "time_zone": ("time_zone", str),
    "check_in_time": ("check_in_time", str),
    "check_out_time": ("check_out_time", str),
    "amenities": ("amenities", list),
    "photos": ("photos", list),
    "location": ("location", lambda loc: {f.name: v for f, v in loc.ListFields()}),
    "active": ("active", bool),
}


def accommodation_fields(acc: booking_pb2.Accommodation, paths: list[str]) -> dict[str, Any]:
    """Column values for the named fields (every set field when `paths` is empty)."""
    names = paths or [f.name for f, _ in acc.ListFields() if f.name in _FIELDS]
    unknown = [p for p in names if p not in _FIELDS]
    if unknown:
        raise invalid("INVALID_FIELD", f"Campos que no se pueden cambiar: {', '.join(unknown)}.")
    fields = {}
    for name in names:
        column, convert = _FIELDS[name]
        fields[column] = convert(getattr(acc, name))
    if "time_zone" in fields and fields["time_zone"] not in available_timezones():
        # Every quote and hold reads it: a bad one would break availability for all cabins.
        raise invalid("INVALID_TIME_ZONE", f"Zona horaria desconocida: {fields['time_zone'][:60]!r}.")
    if "base_price_minor" in fields and acc.base_nightly_price.currency:
        fields["currency"] = acc.base_nightly_price.currency
    return fields
