"""The owner's actions: close and reopen nights, book by phone, move a stay, write notes.

Each change writes its history entry and its domain event in its own transaction, events last
(holds.py says why). New nights are taken under the cabin's lock and guarded by the exclusion
constraint: a lost race is DATES_UNAVAILABLE, never a double booking. The owner may book and move
stays shorter than the cabin's minimum; capacity and the cabin's other rules hold.
"""

import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

import asyncpg

from services.booking import holds, store
from services.booking.blocks import OWNER
from services.booking.holds import MAX_ACTOR, MAX_TEXT, HoldRequest
from services.booking.locks import CabinLocks
from services.booking.pricing import Quote, deposit
from services.common.db import Conn
from services.common.errors import conflict, invalid, not_found

MAX_REASON = 200  # characters of a block's reason
MAX_NAME = 120  # characters of a guest's name, as the public API takes it
MAX_TOTAL = 10**12  # minor units: a total the owner sets
_PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")  # E.164, as the public API and accounts take it
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
_KEYS = "owner:"  # the owner's idempotency keys, apart from the public API's
Write = Callable[[str], Awaitable[tuple[asyncpg.Record, list[store.Event]]]]  # a new row by its code, and its events


class PricePolicy(Enum):
    REPRICE = "reprice"  # the cabin's quote for the new nights
    KEEP = "keep"  # the total stays what it was
    OVERRIDE = "override"  # the total the owner gives


@dataclass(frozen=True)
class Booking:
    """A booking the owner takes by phone or in person."""

    stay: HoldRequest  # the cabin, nights, party and guest; its idempotency key is the owner's
    actor: str
    price_override: int | None = None  # the total agreed with the guest; None = the cabin's quote
    note: str = ""


def _actor(actor: str) -> str:
    actor = actor.strip()
    if not actor or len(actor) > MAX_ACTOR:
        raise invalid("INVALID_ACTOR", f"Falta quién hace el cambio (actor, hasta {MAX_ACTOR} caracteres).")
    return actor


def _total(total: int | None) -> int:
    if total is None or not 0 <= total <= MAX_TOTAL:
        raise invalid("INVALID_TOTAL", "Poné un total de cero o más.")
    return total


def _stay(check_in: date, check_out: date) -> str:
    return f"{check_in.isoformat()}/{check_out.isoformat()}"


async def _take(
    conn: Conn, locks: CabinLocks, acc: asyncpg.Record, check_in: date, check_out: date, write: Write
) -> asyncpg.Record:
    """A new row on the nights, written by `write(code)` in a transaction under the cabin's lock
    after the run-out holds in the way expire; again on a code collision or a deadlock Postgres
    broke. DATES_UNAVAILABLE when something holds a night; other unique violations propagate."""
    async with locks.hold(acc["id"]):
        for attempt in range(3):
            try:
                async with conn.transaction():
                    stale = await holds.expire_in_the_way(conn, acc["id"], check_in, check_out)
                    row, events = await write(holds.new_code(holds.today_in(acc["time_zone"])))
                    await store.emit_all(conn, [*stale, *events])
                return row
            except asyncpg.DeadlockDetectedError:
                if attempt == 2:
                    raise
            except asyncpg.ExclusionViolationError:
                raise await holds.unavailable(conn, acc["id"], check_in, check_out) from None
            except asyncpg.UniqueViolationError as exc:
                if exc.constraint_name != "reservations_code_key":
                    raise
    raise RuntimeError("could not generate a unique reservation code")


# Blocks -------------------------------------------------------------------------


async def block(
    pool: asyncpg.Pool,
    locks: CabinLocks,
    accommodation_id: int,
    check_in: date,
    check_out: date,
    reason: str,
    actor: str,
) -> asyncpg.Record:
    """Close the nights (own use, repairs): a block of source "owner", which every channel's export shows."""
    actor, reason = _actor(actor), reason.strip()
    if len(reason) > MAX_REASON:
        raise invalid("INVALID_REASON", f"El motivo puede tener hasta {MAX_REASON} caracteres.")
    if check_in >= check_out:
        raise invalid("INVALID_RANGE", "La fecha de salida tiene que ser posterior a la de llegada.")
    async with pool.acquire() as conn:
        acc = await holds.cabin(conn, accommodation_id)
        holds.check_dates(check_in, acc["time_zone"])

        async def write(code: str) -> tuple[asyncpg.Record, list[store.Event]]:
            code = "BLK" + code[3:]
            values = {
                "code": code,
                "accommodation_id": acc["id"],
                "check_in": check_in,
                "check_out": check_out,
                "guests": 0,
                "status": "blocked",
                "channel": "admin",
                "currency": acc["currency"],
                "external_source": OWNER,
                "external_uid": f"{code}@{OWNER}",  # blocks need one; nothing imports it
                "block_reason": reason,
            }
            recorded = (actor, "blocked", reason, {"stay": _stay(check_in, check_out)})
            row = await store.insert_reservation(conn, values, recorded)
            return row, [("block.created", row["id"], {})]

        return await _take(conn, locks, acc, check_in, check_out, write)


async def unblock(pool: asyncpg.Pool, code: str, actor: str) -> asyncpg.Record:
    """Reopen an owner block's nights; one already removed stays as it is. A channel's blocks
    come and go with its feed only."""
    actor = _actor(actor)
    async with pool.acquire() as conn, conn.transaction():
        row = await store.get_reservation(conn, code, for_update=True)
        if row is None:
            raise not_found(f"No existe el bloqueo {code}.")
        if row["external_source"] != OWNER:
            if row["status"] == "blocked":
                raise conflict(
                    "CHANNEL_BLOCK", f"Ese bloqueo viene de {row['external_source']}: se quita desde ese canal."
                )
            raise conflict("NOT_A_BLOCK", f"{code} es una reserva, no un bloqueo.")
        if row["status"] != "blocked":
            return row
        row = await store.update_reservation(
            conn, row["id"], {"status": "cancelled", "cancelled_at": datetime.now().astimezone()}
        )
        await store.record(conn, row["id"], actor, "unblocked")
        await store.emit(conn, "block.removed", row["id"])
        return row


# Bookings -----------------------------------------------------------------------


def _guest(stay: HoldRequest) -> dict[str, str]:
    name = stay.guest_name.strip()
    if not name or len(name) > MAX_NAME:
        raise invalid("INVALID_GUEST_NAME", f"Poné el nombre del huésped (hasta {MAX_NAME} caracteres).")
    if stay.guest_phone and not _PHONE.match(stay.guest_phone):
        raise invalid("INVALID_PHONE", "El teléfono va con código de país, por ejemplo +5491155555555.")
    if stay.guest_email and not _EMAIL.match(stay.guest_email):
        raise invalid("INVALID_EMAIL", "Ese e-mail no parece válido.")
    return {"guest_name": name, "guest_phone": stay.guest_phone, "guest_email": stay.guest_email}


def _note(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise invalid("INVALID_NOTE", f"La nota puede tener hasta {MAX_TEXT} caracteres.")
    return text


def _price(priced: Quote, percent: int, total: int | None) -> dict[str, Any]:
    """Total, deposit and breakdown: the quote's, or a total of the owner's (no night-by-night then)."""
    if total is None:
        return {
            "total_minor": priced.total_minor,
            "deposit_minor": priced.deposit_minor,
            "breakdown": holds.breakdown(priced),
        }
    return {"total_minor": total, "deposit_minor": deposit(total, percent), "breakdown": []}


async def book(pool: asyncpg.Pool, locks: CabinLocks, req: Booking) -> asyncpg.Record:
    """A booking taken by the owner: confirmed at once, channel admin; the same key gives the same one back."""
    actor, guest, note = _actor(req.actor), _guest(req.stay), _note(req.note)
    override = None if req.price_override is None else _total(req.price_override)
    key = _KEYS + req.stay.idempotency_key if req.stay.idempotency_key else None
    async with pool.acquire() as conn:
        if key and (existing := await store.reservation_by_key(conn, key)):
            return holds.replay(existing, req.stay)[0]
        acc = await holds.cabin(conn, req.stay.accommodation_id)
        s = req.stay
        priced = holds.check_stay(acc, s.check_in, s.check_out, s.guests, any_length=True)
        price = _price(priced, acc["deposit_percent"], override)

        async def write(code: str) -> tuple[asyncpg.Record, list[store.Event]]:
            values = {
                "code": code,
                "accommodation_id": acc["id"],
                "check_in": s.check_in,
                "check_out": s.check_out,
                "guests": s.guests,
                **guest,
                "status": "confirmed",
                "channel": "admin",
                "currency": priced.currency,
                **price,
                "confirmed_at": datetime.now().astimezone(),
                "idempotency_key": key,
                **holds.terms(acc),
            }
            row = await store.insert_reservation(conn, values)
            facts = {
                "channel": "admin",
                "total": str(price["total_minor"]),
                "price": "override" if override is not None else "quote",
            }
            await store.record(conn, row["id"], actor, "created", data=facts)
            await store.record(conn, row["id"], actor, "confirmed")
            if note:
                await store.record(conn, row["id"], actor, "note", note)
            # The event a paid confirmation writes: whoever follows confirmations hears of it.
            return row, [("reservation.confirmed", row["id"], {})]

        try:
            return await _take(conn, locks, acc, s.check_in, s.check_out, write)
        except asyncpg.UniqueViolationError as exc:  # the same key, racing: the other one won
            raced = exc.constraint_name == "reservations_idempotency_key"
            if raced and key and (existing := await store.reservation_by_key(conn, key)):
                return holds.replay(existing, req.stay)[0]
            raise


def _movable(row: asyncpg.Record) -> None:
    code, status = row["code"], row["status"]
    if status == "pre_reserved" and row["expires_at"] <= datetime.now().astimezone():
        raise conflict("HOLD_EXPIRED", f"La reserva {code} venció: ya no tiene fechas que mover.")
    if status not in ("pre_reserved", "confirmed"):
        raise conflict("INVALID_STATE", f"La reserva {code} no se puede mover ({status}).")


async def change_dates(
    pool: asyncpg.Pool,
    locks: CabinLocks,
    code: str,
    check_in: date,
    check_out: date,
    policy: PricePolicy,
    total: int | None,
    actor: str,
) -> asyncpg.Record:
    """Move a hold or a confirmed stay to other nights in one transaction: the new ones are
    taken (the exclusion constraint checks them) and the old ones freed only if that succeeds.
    A hold keeps its expiry."""
    actor = _actor(actor)
    override = _total(total) if policy is PricePolicy.OVERRIDE else None
    async with pool.acquire() as conn:
        found = await store.get_reservation(conn, code)
        if found is None:
            raise not_found(f"No existe la reserva {code}.")
        _movable(found)
        acc = await holds.cabin(conn, found["accommodation_id"])
        priced = holds.check_stay(acc, check_in, check_out, found["guests"], any_length=True)

        async def move() -> asyncpg.Record:
            async with conn.transaction():
                row = await store.get_reservation(conn, code, for_update=True)
                assert row is not None  # reservations are never deleted
                _movable(row)  # as it is now, under its row lock
                stale = await holds.expire_in_the_way(conn, acc["id"], check_in, check_out)
                kept = {"total_minor": row["total_minor"], "deposit_minor": row["deposit_minor"], "breakdown": []}
                price = kept if policy is PricePolicy.KEEP else _price(priced, acc["deposit_percent"], override)
                moved = await store.update_reservation(
                    conn, row["id"], {"check_in": check_in, "check_out": check_out, **price}
                )
                before = _stay(row["check_in"], row["check_out"])
                facts = {
                    "from": before,
                    "to": _stay(check_in, check_out),
                    "total_before": str(row["total_minor"]),
                    "total": str(moved["total_minor"]),
                    "price": policy.value,
                }
                await store.record(conn, row["id"], actor, "dates_changed", data=facts)
                event = ("reservation.dates_changed", row["id"], {"previous_stay": before})
                await store.emit_all(conn, [*stale, event])
            return moved

        async with locks.hold(acc["id"]):
            try:
                # Two moves can wait on each other's nights (each holds its own row): Postgres breaks
                # the deadlock, and the one it aborted tries again, to find the nights taken or free.
                for _ in range(2):
                    with contextlib.suppress(asyncpg.DeadlockDetectedError):
                        return await move()
                return await move()
            except asyncpg.ExclusionViolationError:
                raise await holds.unavailable(conn, acc["id"], check_in, check_out, exclude_id=found["id"]) from None


# Notes and history --------------------------------------------------------------


async def add_note(pool: asyncpg.Pool, code: str, text: str, actor: str) -> asyncpg.Record:
    actor, text = _actor(actor), _note(text)
    if not text:
        raise invalid("INVALID_NOTE", "Escribí la nota.")
    async with pool.acquire() as conn:
        row = await store.get_reservation(conn, code)
        if row is None:
            raise not_found(f"No existe la reserva {code}.")
        return await store.record(conn, row["id"], actor, "note", text)


async def history(pool: asyncpg.Pool, reservation_id: int) -> list[asyncpg.Record]:
    """What happened to the reservation, oldest first."""
    async with pool.acquire() as conn:
        return await store.history(conn, reservation_id)
