"""Protobuf <-> booking rows and domain values, in one place."""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any
from zoneinfo import available_timezones

import asyncpg
from google.protobuf.message import Message

from cabanas.v1 import booking_pb2, common_pb2
from services.booking import store
from services.booking.blocks import Block, SyncResult
from services.booking.holds import Availability, HoldRequest, Outcome, Refund, RefundMode
from services.booking.owner import Booking, PricePolicy
from services.booking.pricing import Quote
from services.common import cancellation, pb
from services.common.errors import invalid
from services.common.pb import date_pb, day, range_pb, timestamp_pb

# The proto's outcomes carry the domain's names: CONFIRM_OUTCOME_RETAKEN is Outcome.RETAKEN.
_OUTCOMES = pb.enum_values(booking_pb2.ConfirmOutcome, "CONFIRM_OUTCOME_")
_POLICIES = pb.enum_names(booking_pb2.PricePolicy, "PRICE_POLICY_")  # and unset: reprice
_REFUND_MODES = pb.enum_values(booking_pb2.RefundMode, "REFUND_MODE_")  # the column's "policy" is REFUND_MODE_POLICY
_REFUND_MODE_NAMES = pb.enum_names(booking_pb2.RefundMode, "REFUND_MODE_")
DEFAULT_CHANNEL = "web"  # what an unset channel means


def to_date(value: common_pb2.Date, field: str) -> date:
    try:
        return day(value)
    except ValueError:
        raise invalid("INVALID_DATE", f"{field} no es una fecha válida.") from None


def to_range(value: common_pb2.DateRange, field: str) -> tuple[date, date]:
    return to_date(value.start, f"{field}.start"), to_date(value.end, f"{field}.end")


def night_pb(night: date | str, price_minor: int, season: str, weekend: bool, currency: str) -> booking_pb2.NightPrice:
    return booking_pb2.NightPrice(
        date=date_pb(night), price=pb.money_pb(price_minor, currency), season=season, weekend=weekend
    )


def quote_pb(accommodation_id: int, q: Quote) -> booking_pb2.StayQuote:
    return booking_pb2.StayQuote(
        accommodation_id=accommodation_id,
        stay=range_pb(q.check_in, q.check_out),
        nights=q.nights,
        breakdown=[night_pb(n.night, n.price_minor, n.season, n.weekend, q.currency) for n in q.breakdown],
        total=pb.money_pb(q.total_minor, q.currency),
        deposit=pb.money_pb(q.deposit_minor, q.currency),
        deposit_percent=q.deposit_percent,
        min_nights=q.min_nights,
    )


def rules_pb(rules: Iterable[dict[str, int]] | None) -> list[booking_pb2.CancellationRule]:
    return [booking_pb2.CancellationRule(**rule) for rule in rules or ()]


def reservation_pb(row: asyncpg.Record) -> booking_pb2.Reservation:
    currency, refund_amount = row["currency"], row["refund_amount_minor"]
    return booking_pb2.Reservation(
        code=row["code"],
        accommodation_id=row["accommodation_id"],
        accommodation_name=row["accommodation_name"] or "",
        stay=range_pb(row["check_in"], row["check_out"]),
        guests=row["guests"],
        guest=booking_pb2.Guest(name=row["guest_name"], phone=row["guest_phone"], email=row["guest_email"]),
        status=pb.RESERVATION_STATUSES[row["status"]],
        channel=pb.CHANNELS[row["channel"]],
        nights=row["nights"],
        total=pb.money_pb(row["total_minor"], currency),
        deposit=pb.money_pb(row["deposit_minor"], currency),
        breakdown=[
            night_pb(n["date"], n["price_minor"], n["season"], n["weekend"], currency) for n in row["breakdown"]
        ],
        expires_at=timestamp_pb(row["expires_at"]),
        confirmed_at=timestamp_pb(row["confirmed_at"]),
        cancelled_at=timestamp_pb(row["cancelled_at"]),
        external_source=row["external_source"] or "",
        external_uid=row["external_uid"] or "",
        paid_but_unavailable=row["paid_but_unavailable"],
        created_at=timestamp_pb(row["created_at"]),
        updated_at=timestamp_pb(row["updated_at"]),
        block_reason=row["block_reason"] or "",  # None in events written before the column
        # The terms it was booked under; None in events written before the columns.
        cancellation_rules=rules_pb(row["cancellation_rules"]),
        time_zone=row["time_zone"] or "",
        balance_on_arrival=bool(row["balance_on_arrival"]),
        refund_mode=_REFUND_MODES.get(row["refund_mode"] or "", booking_pb2.REFUND_MODE_UNSPECIFIED),
        refund_amount=pb.money_pb(refund_amount, currency) if refund_amount is not None else None,
    )


def accommodation_pb(row: asyncpg.Record) -> booking_pb2.Accommodation:
    seasons = []
    for s in row["seasons"]:
        season = booking_pb2.SeasonalRate(
            name=s["name"], range=range_pb(s["start"], s["end"]), min_nights=s.get("min_nights", 0)
        )
        if s.get("nightly_price_minor") is not None:
            season.nightly_price.CopyFrom(pb.money_pb(s["nightly_price_minor"], row["currency"]))
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
        base_nightly_price=pb.money_pb(row["base_price_minor"], row["currency"]),
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
        guest_info=booking_pb2.GuestInfo(**row["guest_info"]),
        cancellation_rules=rules_pb(row["cancellation_rules"]),
        balance_on_arrival=row["balance_on_arrival"],
        guest_messages=booking_pb2.GuestMessages(**row["guest_messages"]),
        active=row["active"],
        created_at=timestamp_pb(row["created_at"]),
        updated_at=timestamp_pb(row["updated_at"]),
    )


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


MAX_ANSWER = 1000  # characters of one GuestInfo answer: a short text the bot says as written
_ANSWERS = frozenset(booking_pb2.GuestInfo.DESCRIPTOR.fields_by_name)
_WEB_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_ANSWER_PATH = "guest_info."  # an update-mask path naming one answer, e.g. guest_info.pets


def _answers(info: booking_pb2.GuestInfo, names: Iterable[str]) -> dict[str, str]:
    """The named answers of `info`; INVALID when one is too long."""
    answers = {name: getattr(info, name) for name in names}
    for name, text in answers.items():
        if len(text) > MAX_ANSWER:
            raise invalid(
                "INVALID_GUEST_INFO",
                f"La respuesta guest_info.{name} tiene {len(text)} caracteres; el máximo es {MAX_ANSWER}.",
                field=f"guest_info.{name}",
            )
    return answers


def _written(info: booking_pb2.GuestInfo) -> dict[str, str]:
    """The answers the owner wrote (a proto3 "" is not listed): the whole column."""
    return _answers(info, (f.name for f, _ in info.ListFields()))


def _merged(info: booking_pb2.GuestInfo, names: list[str]) -> store.Merge:
    """The named answers, to merge into the column; an emptied one (None) is removed from it."""
    return store.Merge({name: text or None for name, text in _answers(info, names).items()})


def _guest_messages(words: booking_pb2.GuestMessages) -> dict[str, str]:
    """The owner's journey words as written (the whole column); INVALID_GUEST_MESSAGES for one too
    long, or a review link that is not http(s): guests are sent to it."""
    written = {f.name: text for f, text in words.ListFields()}
    for name, text in written.items():
        if len(text) > MAX_ANSWER:
            raise invalid(
                "INVALID_GUEST_MESSAGES",
                f"El mensaje guest_messages.{name} tiene {len(text)} caracteres; el máximo es {MAX_ANSWER}.",
                field=f"guest_messages.{name}",
            )
    if words.review_url and not _WEB_LINK.fullmatch(words.review_url):
        raise invalid(
            "INVALID_GUEST_MESSAGES",
            "El link para dejar una reseña tiene que empezar con http:// o https://.",
            field="guest_messages.review_url",
        )
    return written


def _policy(rules: Sequence[booking_pb2.CancellationRule]) -> list[dict[str, int]]:
    """The cabin's own rules, most days first (INVALID_POLICY for an unusable list); none: the default."""
    own = [cancellation.Rule(r.days_before, r.percent) for r in rules]
    return [asdict(rule) for rule in cancellation.validated(own)] if own else []


# Accommodation fields by proto field name: (column, converter).
_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
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
    "guest_info": ("guest_info", _written),
    "cancellation_rules": ("cancellation_rules", _policy),
    "balance_on_arrival": ("balance_on_arrival", bool),
    "guest_messages": ("guest_messages", _guest_messages),
    "active": ("active", bool),
}


def accommodation_fields(acc: booking_pb2.Accommodation, paths: list[str]) -> dict[str, Any]:
    """Column values for the named fields (every set field when `paths` is empty); a path
    `guest_info.<answer>` changes that answer only."""
    names = paths or [f.name for f, _ in acc.ListFields() if f.name in _FIELDS]
    answers = [p.removeprefix(_ANSWER_PATH) for p in names if p.startswith(_ANSWER_PATH)]
    names = [p for p in names if not p.startswith(_ANSWER_PATH)]
    unknown = [p for p in names if p not in _FIELDS] + [_ANSWER_PATH + a for a in answers if a not in _ANSWERS]
    if unknown:
        raise invalid("INVALID_FIELD", f"Campos que no se pueden cambiar: {', '.join(unknown)}.")
    fields: dict[str, Any] = {}
    for name in names:
        column, convert = _FIELDS[name]
        fields[column] = convert(getattr(acc, name))
    if answers and "guest_info" not in fields:  # the path `guest_info` covers its sub-paths
        fields["guest_info"] = _merged(acc.guest_info, answers)
    if "time_zone" in fields and fields["time_zone"] not in available_timezones():
        # Every quote and hold reads it: a bad one would break availability for all cabins.
        raise invalid("INVALID_TIME_ZONE", f"Zona horaria desconocida: {fields['time_zone'][:60]!r}.")
    if "base_price_minor" in fields and acc.base_nightly_price.currency:
        fields["currency"] = acc.base_nightly_price.currency
    return fields


def accommodations_pb(
    rows: Iterable[asyncpg.Record], page: common_pb2.PageResponse
) -> booking_pb2.ListAccommodationsResponse:
    return booking_pb2.ListAccommodationsResponse(accommodations=[accommodation_pb(r) for r in rows], page=page)


def optional_range(message: Message, field: str) -> tuple[date, date] | None:
    """The DateRange field `field` of the message, None when it is not set."""
    return to_range(getattr(message, field), field) if message.HasField(field) else None


def availability_pb(found: Availability) -> booking_pb2.CheckAvailabilityResponse:
    busy: dict[int, list[booking_pb2.BusyRange]] = {}
    for row in found.busy:
        busy.setdefault(row["accommodation_id"], []).append(
            booking_pb2.BusyRange(
                range=range_pb(row["check_in"], row["check_out"]), status=pb.RESERVATION_STATUSES[row["status"]]
            )
        )
    return booking_pb2.CheckAvailabilityResponse(
        available=[
            booking_pb2.AvailableAccommodation(accommodation=accommodation_pb(acc), quote=quote_pb(acc["id"], q))
            for acc, q in found.available
        ],
        unavailable=[booking_pb2.UnavailableAccommodation(accommodation_id=i, reason=r) for i, r in found.unavailable],
        busy=[booking_pb2.AccommodationBusy(accommodation_id=i, busy=b) for i, b in busy.items()],
    )


def hold_request(request: booking_pb2.PreReserveRequest) -> HoldRequest:
    check_in, check_out = to_range(request.stay, "stay")
    return HoldRequest(
        accommodation_id=request.accommodation_id,
        check_in=check_in,
        check_out=check_out,
        guests=request.guests,
        guest_name=request.guest.name,
        guest_phone=request.guest.phone,
        guest_email=request.guest.email,
        channel=pb.CHANNEL_NAMES.get(request.channel, DEFAULT_CHANNEL),
        idempotency_key=request.idempotency_key,
        client_id=request.client_id,
    )


def pre_reserve_pb(row: asyncpg.Record, token: str, replayed: bool) -> booking_pb2.PreReserveResponse:
    return booking_pb2.PreReserveResponse(reservation=reservation_pb(row), manage_token=token, replayed=replayed)


def confirm_pb(row: asyncpg.Record, outcome: Outcome) -> booking_pb2.ConfirmReservationResponse:
    return booking_pb2.ConfirmReservationResponse(reservation=reservation_pb(row), outcome=_OUTCOMES[outcome.value])


def refund(request: booking_pb2.CancelReservationRequest) -> Refund:
    """What the canceller asks to give back; unset is the policy."""
    mode = request.refund_mode or booking_pb2.REFUND_MODE_POLICY
    if mode not in _REFUND_MODE_NAMES:
        raise invalid("INVALID_REFUND", f"No conozco esa forma de devolver ({mode}).")
    amount = request.refund_amount.amount_minor if request.HasField("refund_amount") else None
    return Refund(RefundMode(_REFUND_MODE_NAMES[mode]), amount)


def get_reservation_pb(
    row: asyncpg.Record, manage_token_valid: bool, history: Iterable[asyncpg.Record] = ()
) -> booking_pb2.GetReservationResponse:
    return booking_pb2.GetReservationResponse(
        reservation=reservation_pb(row),
        manage_token_valid=manage_token_valid,
        history=[history_entry_pb(entry) for entry in history],
    )


def history_entry_pb(row: asyncpg.Record) -> booking_pb2.HistoryEntry:
    return booking_pb2.HistoryEntry(
        at=timestamp_pb(row["at"]), actor=row["actor"], action=row["action"], text=row["text"], data=row["data"]
    )


def manual_booking(request: booking_pb2.CreateManualReservationRequest) -> Booking:
    check_in, check_out = to_range(request.stay, "stay")
    stay = HoldRequest(
        accommodation_id=request.accommodation_id,
        check_in=check_in,
        check_out=check_out,
        guests=request.guests,
        guest_name=request.guest.name,
        guest_phone=request.guest.phone,
        guest_email=request.guest.email,
        channel="admin",
        idempotency_key=request.idempotency_key,
    )
    override = request.price_override.amount_minor if request.HasField("price_override") else None
    return Booking(stay=stay, actor=request.actor, price_override=override, note=request.note)


def price_policy(request: booking_pb2.ChangeDatesRequest) -> tuple[PricePolicy, int | None]:
    """How to price the new nights, and the total given (None when unset)."""
    policy = PricePolicy(_POLICIES.get(request.price_policy, PricePolicy.REPRICE.value))
    return policy, request.total.amount_minor if request.HasField("total") else None


def expired_pb(codes: list[str]) -> booking_pb2.ExpireDueResponse:
    return booking_pb2.ExpireDueResponse(expired_codes=codes)


def statuses(values: Iterable[common_pb2.ReservationStatus]) -> list[str]:
    """The statuses asked for; an unknown (or unset) value names none."""
    return [pb.RESERVATION_STATUS_NAMES[v] for v in values if v in pb.RESERVATION_STATUS_NAMES]


def reservations_pb(
    rows: Iterable[asyncpg.Record], page: common_pb2.PageResponse
) -> booking_pb2.ListReservationsResponse:
    return booking_pb2.ListReservationsResponse(reservations=[reservation_pb(r) for r in rows], page=page)


def external_blocks(request: booking_pb2.SyncExternalBlocksRequest) -> list[Block]:
    return [Block(b.uid, *to_range(b.range, f"block {b.uid}"), summary=b.summary[:200]) for b in request.blocks]


def sync_pb(result: SyncResult) -> booking_pb2.SyncExternalBlocksResponse:
    return booking_pb2.SyncExternalBlocksResponse(
        created=result.created,
        updated=result.updated,
        removed=result.removed,
        unchanged=result.unchanged,
        conflicts=[pb.conflict_pb(c) for c in result.conflicts],
    )


def _stay_pb(text: str | None) -> common_pb2.DateRange | None:
    """A stay as the outbox writes it ("2027-01-10/2027-01-14"); None when there is none."""
    return range_pb(*text.split("/", 1)) if text else None


def event_pb(row: asyncpg.Record) -> booking_pb2.DomainEvent:
    return booking_pb2.DomainEvent(
        id=row["event_id"],
        type=row["event_type"],
        occurred_at=timestamp_pb(row["occurred_at"]),
        reservation=reservation_pb(row),
        conflict=pb.conflict_pb(row["conflict"]) if row["conflict"] else None,
        traceparent=row["traceparent"],
        previous_stay=_stay_pb(row["previous_stay"]),
        **_done_by(row),
    )


def _done_by(row: asyncpg.Record) -> dict[str, str]:
    """Who confirmed or cancelled, and why it was cancelled (the event's data; other events carry none)."""
    if row["event_type"] not in ("reservation.confirmed", "reservation.cancelled"):
        return {}
    return {"actor": row["event_actor"] or "", "reason": row["event_reason"] or ""}
