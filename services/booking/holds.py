"""Holds and their life: pre-reserve, confirm, cancel, expire; and availability.

Postgres' exclusion constraint is the guarantee against double booking; the
cabin lock only spares it from contenders. Open holds are capped per guest
phone and per public API client (`Caps`), counted under advisory locks in the
hold's own transaction so racing holds cannot pass a cap. Every change writes
its domain event in the same transaction. No other service is called from here.
"""

import asyncio
import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from prometheus_client import Counter

from services.booking import store
from services.booking.locks import CabinLocks
from services.booking.pricing import Quote, Rules, Season, quote, without_minimum
from services.common import cancellation
from services.common.db import Conn
from services.common.errors import DomainError, conflict, invalid, not_found

log = logging.getLogger(__name__)

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
HOLDS_LOST = Counter("booking_holds_lost_total", "Holds refused because the dates were taken")
HOLDS_CAPPED = Counter(
    "booking_holds_capped_total", "Holds refused because the phone or client had too many open", ["scope"]
)
for _scope in ("phone", "client"):
    HOLDS_CAPPED.labels(_scope)  # exported as 0 from the start, so the first refusal shows in increase()
EXPIRE_EVERY_SECONDS = 5.0
EXPIRE_BATCH = 100
# How far ahead a stay may start: two years (seasons are priced a year or two ahead; and a date
# near 9999-12-31 has no room for date arithmetic).
MAX_DAYS_AHEAD = 730
MAX_SEARCH = 100  # characters of a reservations search
MAX_ACTOR = 200  # characters of a history entry's actor ("admin:<sub>", "user:<id>"...)
MAX_TEXT = 2000  # characters of a history entry's text (a note, a cancellation's reason)


@dataclass(frozen=True)
class HoldRequest:
    accommodation_id: int
    check_in: date
    check_out: date
    guests: int
    guest_name: str
    guest_phone: str
    guest_email: str = ""
    channel: str = "web"
    idempotency_key: str = ""
    client_id: str = ""  # the public API's caller; empty for the bot and admin tools


@dataclass(frozen=True)
class Caps:
    """Open holds (pre-reserved, unpaid, not run out) one guest phone and one public API
    client may have at once, so nobody keeps every cabin held without paying; 0 = no cap."""

    per_phone: int
    per_client: int


class RefundMode(Enum):
    """What a cancellation gives back of what was paid; payments works the amount out."""

    POLICY = "policy"  # the reservation's cancellation rules (guests always)
    FULL = "full"
    AMOUNT = "amount"
    NONE = "none"


@dataclass(frozen=True)
class Refund:
    mode: RefundMode = RefundMode.POLICY
    amount_minor: int | None = None  # with AMOUNT only


class Outcome(Enum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    RETAKEN = "retaken"
    PAID_BUT_UNAVAILABLE = "paid_but_unavailable"


def rules_of(acc: asyncpg.Record) -> Rules:
    seasons = tuple(
        Season(
            name=s["name"],
            start=date.fromisoformat(s["start"]),
            end=date.fromisoformat(s["end"]),
            nightly_price_minor=s.get("nightly_price_minor"),
            multiplier_percent=s.get("multiplier_percent"),
            min_nights=s.get("min_nights", 0),
        )
        for s in acc["seasons"]
    )
    return Rules(
        base_price_minor=acc["base_price_minor"],
        currency=acc["currency"],
        capacity=acc["capacity"],
        weekend_multiplier_percent=acc["weekend_multiplier_percent"],
        weekend_nights=frozenset(acc["weekend_nights"]),
        seasons=seasons,
        min_nights=acc["min_nights"],
        max_nights=acc["max_nights"],
        deposit_percent=acc["deposit_percent"],
    )


def policy_of(acc: asyncpg.Record) -> tuple[cancellation.Rule, ...]:
    """The cabin's refund rules, the default when it has none of its own."""
    return cancellation.validated([cancellation.Rule(**rule) for rule in acc["cancellation_rules"]])


def terms(acc: asyncpg.Record) -> dict[str, Any]:
    """What a booking keeps of its cabin as it is now, so that a later change does not touch it:
    the refund rules (written out), the time zone they count days in, where the balance is paid."""
    return {
        "cancellation_rules": [asdict(rule) for rule in policy_of(acc)],
        "time_zone": acc["time_zone"],
        "balance_on_arrival": acc["balance_on_arrival"],
    }


def today_in(time_zone: str) -> date:
    return datetime.now(ZoneInfo(time_zone)).date()


def check_dates(check_in: date, time_zone: str) -> None:
    """A stay starts today at the earliest, and at most MAX_DAYS_AHEAD days ahead."""
    today = today_in(time_zone)
    if check_in < today:
        raise invalid("DATES_IN_PAST", "La fecha de llegada ya pasó.")
    if (check_in - today).days > MAX_DAYS_AHEAD:
        message = f"Tomamos reservas con hasta {MAX_DAYS_AHEAD} días de anticipación."
        raise invalid("DATES_TOO_FAR", message, max_days_ahead=str(MAX_DAYS_AHEAD))


def who(actor: str, default: str) -> str:
    """The actor a history entry names: the caller's (at most MAX_ACTOR characters), else `default`."""
    return actor.strip()[:MAX_ACTOR] or default


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def token_matches(row: asyncpg.Record, token: str) -> bool:
    stored = row["manage_token_hash"]
    return bool(token and stored) and hmac.compare_digest(bytes(stored), hash_token(token))


def new_code(today: date) -> str:
    return "RES" + today.strftime("%y%m%d") + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def _found(acc: asyncpg.Record | None, accommodation_id: int) -> asyncpg.Record:
    if acc is None:
        raise not_found(f"No existe la cabaña {accommodation_id}.")
    return acc


async def cabin(conn: Conn, accommodation_id: int) -> asyncpg.Record:
    return _found(await store.get_accommodation(conn, id=accommodation_id), accommodation_id)


class Cabins:
    """The cabins as holds last priced from them, by id, with their row version: a hold's insert
    checks in the same statement that the cabin is still that version, so a cabin changed since
    (by this process or another replica) is read again, and no hold is priced from an old copy.
    Quotes read the cabin every time: they have no insert to check with."""

    def __init__(self) -> None:
        self._rows: dict[int, asyncpg.Record] = {}  # one per cabin held in: bounded by the table

    async def get(self, conn: Conn, accommodation_id: int) -> asyncpg.Record:
        if (acc := self._rows.get(accommodation_id)) is None:
            acc = _found(await store.accommodation_version(conn, accommodation_id), accommodation_id)
            self._rows[accommodation_id] = acc
        return acc

    def forget(self, accommodation_id: int) -> None:
        self._rows.pop(accommodation_id, None)


def check_stay(acc: asyncpg.Record, check_in: date, check_out: date, guests: int, *, any_length: bool = False) -> Quote:
    """Validate a stay in a cabin (active, not in the past, its rules) and price it; `any_length`
    waives the minimum nights (the owner's own bookings)."""
    if not acc["active"]:
        raise conflict("ACCOMMODATION_INACTIVE", f"{acc['name']} no está disponible para reservas.")
    check_dates(check_in, acc["time_zone"])
    rules = rules_of(acc)
    return quote(without_minimum(rules) if any_length else rules, check_in, check_out, guests)


def _same_request(row: asyncpg.Record, req: HoldRequest) -> bool:
    asked = (req.accommodation_id, req.check_in, req.check_out, req.guests, req.guest_phone)
    return (row["accommodation_id"], row["check_in"], row["check_out"], row["guests"], row["guest_phone"]) == asked


def replay(row: asyncpg.Record, req: HoldRequest) -> tuple[asyncpg.Record, str, bool]:
    if not _same_request(row, req):
        raise conflict("IDEMPOTENCY_KEY_REUSED", "Esa clave de idempotencia ya se usó con otra solicitud.")
    return row, "", True


async def unavailable(
    conn: Conn, accommodation_id: int, check_in: date, check_out: date, *, exclude_id: int = 0
) -> DomainError:
    """DATES_UNAVAILABLE, with the range of what holds the nights (other than reservation `exclude_id`)."""
    taken = await store.holding_overlap(conn, accommodation_id, check_in, check_out, exclude_id=exclude_id)
    details = (
        {"conflict_check_in": str(taken["check_in"]), "conflict_check_out": str(taken["check_out"])} if taken else {}
    )
    return conflict("DATES_UNAVAILABLE", "Esas fechas ya no están disponibles.", **details)


_CAPPED = {
    "phone": "Ese teléfono ya tiene {cap} reservas sin pagar: pagá o cancelá alguna para hacer otra.",
    "client": "Ya hay {cap} reservas sin pagar hechas desde esta conexión: pagá o cancelá alguna para hacer otra.",
}


def _capped(req: HoldRequest, caps: Caps) -> list[tuple[str, store.HoldOwner, str, int]]:
    """The caps that apply to this hold: (scope, column, value, cap)."""
    owners: tuple[tuple[str, store.HoldOwner, str, int], ...] = (
        ("phone", "guest_phone", req.guest_phone, caps.per_phone),
        ("client", "client_id", req.client_id, caps.per_client),
    )
    return [(scope, owner, value, cap) for scope, owner, value, cap in owners if cap and value]


async def _within_caps(conn: Conn, capped: list[tuple[str, store.HoldOwner, str, int]]) -> None:
    """Refuse a hold past the phone's or the client's cap. In the hold's transaction:
    store.open_holds locks what it counts until the new row commits."""
    counts = await store.open_holds(conn, [(owner, value) for _, owner, value, _ in capped])
    for (scope, _, _, cap), count in zip(capped, counts, strict=True):
        if count >= cap:
            HOLDS_CAPPED.labels(scope).inc()
            raise conflict("TOO_MANY_OPEN_HOLDS", _CAPPED[scope].format(cap=cap), scope=scope, limit=str(cap))


async def _insert_hold(
    conn: Conn, req: HoldRequest, caps: Caps, values: dict[str, Any], version: str
) -> asyncpg.Record:
    """The hold, its history and its event, while the cabin is the `version` it was priced from;
    uncapped, in one statement that commits by itself."""
    created = ("guest", "created", "", {"channel": req.channel})
    if not (capped := _capped(req, caps)):
        return await store.insert_reservation(conn, values, created, "reservation.pre_reserved", version)
    async with conn.transaction():
        await _within_caps(conn, capped)
        return await store.insert_reservation(conn, values, created, "reservation.pre_reserved", version)


async def pre_reserve(
    pool: asyncpg.Pool, locks: CabinLocks, cabins: Cabins, req: HoldRequest, ttl: timedelta, caps: Caps
) -> tuple[asyncpg.Record, str, bool]:
    """Hold the dates. Returns (reservation, manage token, replayed)."""
    if req.channel == "ical":
        raise invalid("INVALID_CHANNEL", "External blocks come through SyncExternalBlocks.")
    async with pool.acquire() as conn:
        if req.idempotency_key and (existing := await store.reservation_by_key(conn, req.idempotency_key)):
            return replay(existing, req)
        acc = await cabins.get(conn, req.accommodation_id)
        priced = check_stay(acc, req.check_in, req.check_out, req.guests)
        token = secrets.token_urlsafe(24)  # 192 random bits; only its hash is stored
        async with locks.hold(acc["id"]):
            # Again on a code collision (astronomically rare), a deadlock Postgres broke, run-out
            # holds in the way (expired then: the sweeper may not have passed yet) or a cabin
            # changed since it was priced (priced again then).
            for attempt in range(3):
                try:
                    values = _hold_values(req, priced, acc, token, ttl)
                    return await _insert_hold(conn, req, caps, values, acc["version"]), token, False
                except asyncpg.NotNullViolationError as exc:
                    if exc.column_name != "accommodation_id" or attempt == 2:
                        raise
                    cabins.forget(acc["id"])
                    acc = await cabins.get(conn, req.accommodation_id)
                    priced = check_stay(acc, req.check_in, req.check_out, req.guests)
                except asyncpg.DeadlockDetectedError:
                    if attempt == 2:
                        raise  # UNAVAILABLE: nothing was held, the client may retry
                except asyncpg.ExclusionViolationError:
                    if attempt < 2 and await _cleared(conn, acc["id"], req.check_in, req.check_out):
                        continue
                    HOLDS_LOST.inc()
                    raise await unavailable(conn, acc["id"], req.check_in, req.check_out) from None
                except asyncpg.UniqueViolationError as exc:
                    if exc.constraint_name == "reservations_idempotency_key" and (
                        existing := await store.reservation_by_key(conn, req.idempotency_key)
                    ):
                        return replay(existing, req)
                    if exc.constraint_name != "reservations_code_key":
                        raise
        raise RuntimeError("could not generate a unique reservation code")


async def _cleared(conn: Conn, accommodation_id: int, check_in: date, check_out: date) -> bool:
    """Expire the run-out holds on these nights, with their history and events, in a transaction
    of their own; whether there were any."""
    async with conn.transaction():
        stale = await expire_in_the_way(conn, accommodation_id, check_in, check_out)
        await store.emit_all(conn, stale)
    return bool(stale)


async def expire_in_the_way(conn: Conn, accommodation_id: int, check_in: date, check_out: date) -> list[store.Event]:
    """Expire the run-out holds on these nights (the sweeper may not have passed yet), with their
    history; their events, for the caller to write last."""
    return await _expired(conn, await store.expire_stale_holds(conn, accommodation_id, check_in, check_out))


async def _expired(conn: Conn, rows: list[asyncpg.Record]) -> list[store.Event]:
    if not rows:
        return []  # the usual case: no round trip for nothing
    await store.record_all(conn, [(row["id"], "system", "expired", "", {}) for row in rows])
    return [("reservation.expired", row["id"], {}) for row in rows]


def breakdown(priced: Quote) -> list[dict[str, Any]]:
    """The night-by-night prices of a quote, as the breakdown column keeps them."""
    return [
        {"date": n.night.isoformat(), "price_minor": n.price_minor, "season": n.season, "weekend": n.weekend}
        for n in priced.breakdown
    ]


def _hold_values(req: HoldRequest, priced: Quote, acc: asyncpg.Record, token: str, ttl: timedelta) -> dict[str, Any]:
    return {
        "code": new_code(today_in(acc["time_zone"])),
        "accommodation_id": req.accommodation_id,
        "check_in": req.check_in,
        "check_out": req.check_out,
        "guests": req.guests,
        "guest_name": req.guest_name,
        "guest_phone": req.guest_phone,
        "guest_email": req.guest_email,
        "status": "pre_reserved",
        "channel": req.channel,
        "total_minor": priced.total_minor,
        "deposit_minor": priced.deposit_minor,
        "currency": priced.currency,
        "breakdown": breakdown(priced),
        "expires_at": datetime.now().astimezone() + ttl,
        "idempotency_key": req.idempotency_key or None,
        "client_id": req.client_id,
        "manage_token_hash": hash_token(token),
        **terms(acc),
    }


async def reservation(pool: asyncpg.Pool, code: str) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await store.get_reservation(conn, code)
    if row is None:
        raise not_found(f"No existe la reserva {code}.")
    return row


async def reservations(
    pool: asyncpg.Pool,
    *,
    statuses: list[str],
    accommodation_id: int,
    overlapping: tuple[date, date] | None,
    guest_phone: str,
    search: str = "",
    limit: int,
    offset: int,
) -> tuple[list[asyncpg.Record], int]:
    """A page of reservations matching every filter given (an empty one matches all), newest stay
    first; `search` is found in the code, the guest's name or phone, whatever the case and accents."""
    search = search.strip()
    if len(search) > MAX_SEARCH:
        raise invalid("INVALID_SEARCH", f"Buscá con hasta {MAX_SEARCH} caracteres.", max_length=str(MAX_SEARCH))
    async with pool.acquire() as conn:
        return await store.list_reservations(
            conn,
            statuses=statuses,
            accommodation_id=accommodation_id,
            overlapping=overlapping,
            guest_phone=guest_phone,
            search=search,
            limit=limit,
            offset=offset,
        )


async def confirm(
    pool: asyncpg.Pool, code: str, payment_reference: str, *, by_admin: bool = False, actor: str = ""
) -> tuple[asyncpg.Record, Outcome]:
    """Confirm once paid, or by an admin (paid in cash); idempotent. A paid hold that
    expired meanwhile re-takes its dates if still free; otherwise it is flagged
    paid_but_unavailable (refund). Without a payment there is nothing to refund: an
    admin's confirm of a cancelled reservation, or of a run-out hold whose dates are
    taken, is refused instead. The history names `actor`, else "payments" for a payment."""
    paid = bool(payment_reference)
    actor = who(actor, "payments" if paid else "system")
    facts = {"payment_reference": payment_reference} if paid else {}
    if not paid and not by_admin:
        raise invalid("PAYMENT_REFERENCE_REQUIRED", "Una confirmación necesita un pago o un administrador.")
    async with pool.acquire() as conn, conn.transaction():
        row = await store.get_reservation(conn, code, for_update=True)
        if row is None:
            raise not_found(f"No existe la reserva {code}.")
        changes = {"confirmed_at": datetime.now().astimezone(), "payment_reference": payment_reference or None}
        match row["status"]:
            case "confirmed":
                return row, Outcome.ALREADY_CONFIRMED
            case "pre_reserved":
                row = await store.update_reservation(
                    conn, row["id"], {"status": "confirmed", "expires_at": None, **changes}
                )
                await store.record(conn, row["id"], actor, "confirmed", data=facts)
                await store.emit(conn, "reservation.confirmed", row["id"], {"actor": actor})
                return row, Outcome.CONFIRMED
            case "expired":
                try:
                    async with conn.transaction():  # a savepoint: a refusal must not undo the flag below
                        retaken = await store.update_reservation(conn, row["id"], {"status": "confirmed", **changes})
                        await store.record(conn, row["id"], actor, "confirmed", data={**facts, "retaken": "true"})
                        await store.emit(conn, "reservation.confirmed", row["id"], {"actor": actor})
                    return retaken, Outcome.RETAKEN
                except asyncpg.ExclusionViolationError:
                    if not paid:
                        raise conflict(
                            "DATES_UNAVAILABLE", f"La reserva {code} venció y sus fechas ya están tomadas."
                        ) from None
            case "cancelled":
                if not paid:
                    raise conflict("RESERVATION_CANCELLED", f"La reserva {code} está cancelada.")
            case _:
                raise conflict("INVALID_STATE", f"La reserva {code} no se puede confirmar ({row['status']}).")
        if row["paid_but_unavailable"]:
            return row, Outcome.PAID_BUT_UNAVAILABLE
        row = await store.update_reservation(
            conn, row["id"], {"paid_but_unavailable": True, "payment_reference": payment_reference}
        )
        await store.emit(conn, "reservation.paid_but_unavailable", row["id"])
        return row, Outcome.PAID_BUT_UNAVAILABLE


def _refund_facts(refund: Refund, reason: str) -> dict[str, str]:
    """The refund as the history and the event keep it; INVALID_REFUND for one that cannot be:
    an amount goes with AMOUNT only (and then more than nothing), anything but the policy says why."""
    if (refund.mode is RefundMode.AMOUNT) != (refund.amount_minor is not None):
        raise invalid("INVALID_REFUND", "Un monto a devolver va solo con la devolución de un monto, y al revés.")
    if refund.amount_minor is not None and refund.amount_minor <= 0:  # payments caps it at what was paid
        raise invalid("INVALID_REFUND", "El monto a devolver tiene que ser mayor que cero.")
    if refund.mode is not RefundMode.POLICY and not reason.strip():
        raise invalid("INVALID_REFUND", "Para devolver algo distinto de la política, contá por qué.")
    facts = {"refund_mode": refund.mode.value}
    return facts if refund.amount_minor is None else facts | {"refund_amount": str(refund.amount_minor)}


async def cancel(pool: asyncpg.Pool, code: str, reason: str, actor: str, refund: Refund = Refund()) -> asyncpg.Record:
    """Cancel and free the dates, recording what to refund (payments refunds it, once: one
    `reservation.cancelled` per reservation); cancelling a finished reservation changes nothing."""
    facts = _refund_facts(refund, reason)
    actor = who(actor, "system")
    async with pool.acquire() as conn, conn.transaction():
        row = await store.get_reservation(conn, code, for_update=True)
        if row is None:
            raise not_found(f"No existe la reserva {code}.")
        if row["status"] == "blocked":
            raise conflict("INVALID_STATE", "Los bloqueos de calendarios externos se quitan desde su canal.")
        if row["status"] not in ("pre_reserved", "confirmed"):
            return row
        changes = {"refund_mode": refund.mode.value, "refund_amount_minor": refund.amount_minor}
        row = await store.update_reservation(
            conn, row["id"], {"status": "cancelled", "cancelled_at": datetime.now().astimezone(), **changes}
        )
        await store.record(conn, row["id"], actor, "cancelled", reason[:MAX_TEXT], facts)
        await store.emit(conn, "reservation.cancelled", row["id"], {"reason": reason[:MAX_TEXT], "actor": actor})
        return row


async def expire_due(pool: asyncpg.Pool, limit: int = EXPIRE_BATCH) -> list[str]:
    """Expire run-out holds, a batch at a time; safe with several replicas."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await store.expire_due(conn, limit)
        await store.emit_all(conn, await _expired(conn, rows))
    return [row["code"] for row in rows]


async def expire_forever(pool: asyncpg.Pool) -> None:
    """Expire run-out holds every few seconds (each replica may run it: SKIP LOCKED)."""
    while True:
        try:
            while len(await expire_due(pool)) == EXPIRE_BATCH:
                pass
        except Exception:
            log.warning("expiry pass failed", exc_info=True)
        await asyncio.sleep(EXPIRE_EVERY_SECONDS)


async def price(pool: asyncpg.Pool, accommodation_id: int, check_in: date, check_out: date, guests: int) -> Quote:
    """What a stay in the cabin would cost, refused as a hold would be."""
    async with pool.acquire() as conn:
        acc = await cabin(conn, accommodation_id)
    return check_stay(acc, check_in, check_out, guests)


@dataclass(frozen=True)
class Availability:
    available: list[tuple[asyncpg.Record, Quote]]
    unavailable: list[tuple[int, str]]
    busy: list[asyncpg.Record]


async def availability(
    pool: asyncpg.Pool,
    check_in: date,
    check_out: date,
    guests: int,
    accommodation_id: int = 0,
    window: tuple[date, date] | None = None,
) -> Availability:
    """Every active cabin that fits the party and is free for the stay, cheapest first."""
    if check_in >= check_out:
        raise invalid("INVALID_RANGE", "La fecha de salida tiene que ser posterior a la de llegada.")
    async with pool.acquire() as conn:
        if accommodation_id:
            cabins = [await cabin(conn, accommodation_id)]
        else:
            cabins, _ = await store.list_accommodations(conn, include_inactive=False, limit=1000, offset=0)
        if cabins:
            check_dates(check_in, cabins[0]["time_zone"])
        ids = [c["id"] for c in cabins]
        taken = {r["accommodation_id"] for r in await store.busy(conn, ids, check_in, check_out)}
        busy = await store.busy(conn, ids, *window) if window else []
    free, refused = [], []
    for acc in cabins:
        try:
            priced = check_stay(acc, check_in, check_out, guests)
        except DomainError as exc:  # this cabin cannot take the stay
            refused.append((acc["id"], exc.reason))
            continue
        if acc["id"] in taken:
            refused.append((acc["id"], "DATES_UNAVAILABLE"))
        else:
            free.append((acc, priced))
    free.sort(key=lambda pair: pair[1].total_minor)
    return Availability(free, refused, busy)
