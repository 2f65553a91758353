"""Money the owner received by hand (cash, a bank transfer), recorded as an approved payment.

A hold it pays for is confirmed the way a Mercado Pago approval confirms one: only when it
covers the deposit (else `amount_mismatch`), and a hold that ran out with its nights taken
meanwhile is flagged `paid_but_unavailable` (the money stays on record, to give back). A
reservation already confirmed is not confirmed again (a balance paid on arrival): booking
emits nothing, so the guest is not told "confirmada" twice; the payment counts towards its
balance like an online one, beyond what is due it is a `duplicate_payment` (balance.py). Cancelled and expired
reservations and calendar blocks take no payment.

A retry with the same idempotency key returns the payment recorded first: its external_id
is derived from the reservation and the key, and inserted once.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg

from services.common.db import Conn
from services.common.errors import conflict, invalid
from services.payments import balance, store
from services.payments.ports import Booking, Outcome, Reservation

METHODS = ("cash", "transfer")
MAX_NOTE = 500
MAX_KEY = 200
_KEYED = uuid.UUID("6f1d3c2a-8e4b-4f7a-9c15-2b7d0e9a4c61")  # namespace of the ids derived from a key
# Why a reservation takes no payment, by its status.
_CLOSED = {
    "cancelled": ("RESERVATION_CANCELLED", "La reserva {code} está cancelada: no se le registran pagos."),
    "expired": ("RESERVATION_EXPIRED", "La reserva {code} venció: armá una nueva para registrar el pago."),
    "blocked": ("NOT_A_RESERVATION", "{code} es un bloqueo de calendario, no una reserva: no lleva pagos."),
}


@dataclass(frozen=True)
class Received:
    """Money received by hand, as the owner tells it."""

    reservation_code: str
    amount_minor: int
    currency: str  # "" = the reservation's
    method: str  # one of METHODS
    actor: str  # who records it: "user:<id>", "admin:<sub>"
    idempotency_key: str  # "" = none: every call records a payment
    note: str


def _checked(r: Received) -> Received:
    """The request with its note trimmed; INVALID_ARGUMENT for what cannot be a payment."""
    if r.method not in METHODS:
        raise invalid("INVALID_METHOD", "Elegí cómo te pagaron: efectivo o transferencia.")
    if r.amount_minor <= 0:
        raise invalid("INVALID_AMOUNT", "El monto tiene que ser mayor que cero.")
    note = r.note.strip()
    if len(note) > MAX_NOTE:
        raise invalid("NOTE_TOO_LONG", f"La nota puede tener hasta {MAX_NOTE} caracteres.")
    if not r.actor:
        raise invalid("ACTOR_REQUIRED", "Falta quién registra el pago.")
    if len(r.idempotency_key) > MAX_KEY:
        raise invalid("INVALID_IDEMPOTENCY_KEY", f"La clave de idempotencia puede tener hasta {MAX_KEY} caracteres.")
    return Received(r.reservation_code, r.amount_minor, r.currency, r.method, r.actor, r.idempotency_key, note)


def external_id(r: Received) -> str:
    """`manual-<uuid>`: the same for a retry with the same key, new without one."""
    if not r.idempotency_key:
        return f"manual-{uuid.uuid4()}"
    return f"manual-{uuid.uuid5(_KEYED, r.reservation_code + '|' + r.idempotency_key)}"  # codes have no '|'


def _payable(reservation: Reservation, r: Received) -> str:
    """The currency the payment is in; FAILED_PRECONDITION when the reservation takes none."""
    if reservation.status in _CLOSED:
        reason, message = _CLOSED[reservation.status]
        raise conflict(reason, message.format(code=reservation.code))
    if reservation.status not in ("pre_reserved", "confirmed"):
        raise conflict("INVALID_STATE", f"La reserva {reservation.code} no admite pagos ({reservation.status}).")
    if r.currency and r.currency != reservation.currency:
        raise invalid("CURRENCY_MISMATCH", f"La reserva {reservation.code} se paga en {reservation.currency}.")
    return reservation.currency


def _same(row: asyncpg.Record, r: Received) -> asyncpg.Record:
    """The payment recorded first with the key, when this is a retry of that request."""
    if (row["amount_minor"], row["method"], row["note"]) != (r.amount_minor, r.method, r.note):
        raise invalid("IDEMPOTENCY_KEY_REUSED", "Esa clave ya se usó para registrar otro pago.")
    return row


class ManualPayments:
    def __init__(self, pool: asyncpg.Pool, booking: Booking) -> None:
        self.pool = pool
        self.booking = booking

    async def record(self, received: Received) -> asyncpg.Record:
        """The payment row: new, or the one recorded first with the same key."""
        r = _checked(received)
        payment_id = external_id(r)
        async with self.pool.acquire() as conn:
            recorded = await store.get_payment(conn, payment_id)
        if recorded is not None:  # a retry: answered even if the reservation changed since
            return _same(recorded, r)
        reservation = await self.booking.reservation(r.reservation_code)
        currency = _payable(reservation, r)
        now = datetime.now().astimezone()
        async with self.pool.acquire() as conn, conn.transaction():
            row, new = await store.insert_payment(
                conn,
                {
                    "external_id": payment_id,
                    "reservation_code": reservation.code,
                    "status": "approved",
                    "status_detail": "manual",
                    "amount_minor": r.amount_minor,
                    "currency": currency,
                    "events_count": 1,
                    "first_event_at": now,
                    "last_event_at": now,
                    "method": r.method,
                    "recorded_by": r.actor,
                    "note": r.note,
                },
            )
            if not new:  # the same key, recorded concurrently
                return _same(row, r)
            await store.lock_reservation(conn, reservation.code)  # counted after its other payments
            row = await store.update_payment(conn, row["id"], await self._count(conn, reservation, r, payment_id))
            await store.emit(conn, "payment.approved", row["id"])
            if row["issue"] != "none":
                await store.emit(conn, "payment.issue", row["id"])
        return row

    async def _count(self, conn: Conn, reservation: Reservation, r: Received, payment_id: str) -> dict[str, Any]:
        """What the payment did for its stay: confirmed the hold (its confirmed_at, kind "deposit"),
        paid towards a confirmed stay (balance.counted), or its issue."""
        if reservation.status == "confirmed":
            return await balance.counted(conn, reservation, payment_id, r.amount_minor)
        if r.amount_minor < reservation.deposit_minor:
            return {"issue": "amount_mismatch"}  # less than the deposit holds nothing, as with Mercado Pago
        outcome = await self.booking.confirm(reservation.code, payment_reference=payment_id, actor=r.actor)
        match outcome:
            case Outcome.CONFIRMED | Outcome.RETAKEN:
                return {"confirmed_at": datetime.now().astimezone(), "kind": "deposit"}
            case Outcome.PAID_BUT_UNAVAILABLE:
                return {"issue": "paid_but_unavailable"}
            case Outcome.ALREADY_CONFIRMED:  # confirmed meanwhile by another payment: this one adds to it
                confirmed = replace(reservation, status="confirmed")
                return await balance.counted(conn, confirmed, payment_id, r.amount_minor)
