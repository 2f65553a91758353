"""Refunds: money given back of a reservation's payments.

A refund is asked for by a request named once (a cancellation: `cancel:<code>`; the owner's tap:
`owner:<code>:<key>`), so a request seen twice gives back once. Its amount is spread over the
reservation's payments newest first, each up to what is left of it; a row per payment. Mercado
Pago's rows start `requested` and a worker sends them (`X-Idempotency-Key` derived from the row, so
a call that timed out and is made again is one refund): approved, or retried with a growing delay
while Mercado Pago is down, `rejected` when it refuses, `failed` after MAX_ATTEMPTS; both of those
flag the payment `refund_failed` for a person. Cash and transfer rows are `by_hand`: the owner
gives the money back, and records it (`settle`, as for a refused or failed one): then it counts.

Refunded counts the approved refunds: ours, and those seen made in Mercado Pago's panel (a
payment coming back with more `transaction_amount_refunded` than our refunds of it, `seen`).
What is left of a payment also leaves out what is on its way (requested) or to give by hand.

Events, in the payments outbox, each with its refund: `payment.refunded` when one is approved or
settled (the payment's `refunded` says how much of it went back in all), `refund.failed` when one is
rejected or failed for good, `refund.by_hand` when one is the owner's to give.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from services.common.db import Conn, fetch_one, record_outcome
from services.common.errors import conflict, invalid, not_found
from services.common.workloop import WorkLoop
from services.payments import store
from services.payments.mercadopago import MercadoPago, MercadoPagoError, Unavailable, minor_units
from services.payments.ports import Booking

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # calls to Mercado Pago before a refund is given up on (hours, with the backoff)
LEASE_SECONDS = 120  # a claimed refund is not sent by another replica meanwhile
MAX_DELAY_SECONDS = 3600
MAX_REASON = 500
MAX_KEY = 200
# Given back, or on its way: not to be given again.
COMMITTED = ("approved", "requested", "by_hand")
# Given back by a person, who records it: cash and transfer ones, and those Mercado Pago would not make.
SETTLEABLE = ("by_hand", "rejected", "failed")
OUTSIDE_ACTOR, OUTSIDE_REASON = "mercadopago", "hecho en Mercado Pago"


async def refunded_minor(conn: Conn, code: str) -> int:
    """What went back of the reservation's payments: the sum of its approved refunds."""
    return int(
        await conn.fetchval(
            "SELECT coalesce(sum(amount_minor), 0) FROM refunds WHERE reservation_code = $1 AND status = 'approved'",
            code,
        )
    )


async def list_refunds(conn: Conn, code: str) -> list[asyncpg.Record]:
    """The reservation's refunds, newest first."""
    return await conn.fetch("SELECT * FROM refunds WHERE reservation_code = $1 ORDER BY id DESC", code)


def spread(left: Sequence[tuple[str, int]], amount_minor: int) -> list[tuple[str, int]]:
    """`amount_minor` taken from payments (id, what is left of it), in their order, each up to its left."""
    taken: list[tuple[str, int]] = []
    for payment, available in left:
        take = min(available, amount_minor - sum(t for _, t in taken))
        if take > 0:
            taken.append((payment, take))
    return taken


def idempotency_key(refund: asyncpg.Record) -> str:
    """Mercado Pago's key of a refund row: every call for it, retries too, is the same refund."""
    return f"refund-{refund['reservation_code']}-{refund['id']}"


async def _payments_left(conn: Conn, code: str, currency: str) -> list[asyncpg.Record]:
    """The reservation's paid payments, newest first, with `left_minor`: what can still go back of each."""
    return await conn.fetch(
        "SELECT p.id, p.external_id, p.method, p.amount_minor - coalesce((SELECT sum(f.amount_minor) FROM refunds f"
        " WHERE f.payment_external_id = p.external_id AND f.status = ANY($3)), 0) AS left_minor"
        " FROM payments p WHERE p.reservation_code = $1 AND p.currency = $2 AND p.status IN ('approved', 'refunded')"
        " ORDER BY p.id DESC",
        code,
        currency,
        list(COMMITTED),
    )


@dataclass(frozen=True)
class Ask:
    """A refund asked for: `amount(refundable)` of the reservation's payments, once per `request`."""

    code: str
    currency: str
    request: str
    actor: str
    reason: str
    amount: Callable[[int], int]  # what to give back of what can still go back; may refuse (DomainError)


async def ask(conn: Conn, a: Ask) -> tuple[list[asyncpg.Record], bool]:
    """The request's refund rows and True when made now, or those made for it before and False.
    Call it in a transaction: the reservation's payments are counted under its lock."""
    await store.lock_reservation(conn, a.code)
    if await conn.fetchval("SELECT 1 FROM refund_requests WHERE request = $1", a.request):
        return await conn.fetch("SELECT * FROM refunds WHERE request = $1 ORDER BY id", a.request), False
    payments = await _payments_left(conn, a.code, a.currency)
    amount = a.amount(sum(max(0, p["left_minor"]) for p in payments))
    await conn.execute("INSERT INTO refund_requests (request, reservation_code) VALUES ($1, $2)", a.request, a.code)
    by_id = {p["external_id"]: p for p in payments}
    rows = [
        await fetch_one(
            conn,
            "INSERT INTO refunds (request, reservation_code, payment_external_id, amount_minor, currency, status,"
            " actor, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
            a.request,
            a.code,
            payment,
            take,
            a.currency,
            "requested" if by_id[payment]["method"] == "mercado_pago" else "by_hand",
            a.actor,
            a.reason[:MAX_REASON],
        )
        for payment, take in spread([(p["external_id"], p["left_minor"]) for p in payments], amount)
    ]
    for row in rows:
        if row["status"] == "by_hand":
            await store.emit(conn, "refund.by_hand", by_id[row["payment_external_id"]]["id"], row["id"])
    return rows, True


async def seen(conn: Conn, external_id: str, code: str, currency: str, refunded_there: int) -> int:
    """Record what Mercado Pago says went back of the payment beyond our refunds of it (approved or
    on their way) as one approved refund made in its panel; that amount, 0 when nothing new.
    Call it holding the payment's row lock."""
    ours = int(
        await conn.fetchval(
            "SELECT coalesce(sum(amount_minor), 0) FROM refunds WHERE payment_external_id = $1"
            " AND status IN ('approved', 'requested')",
            external_id,
        )
    )
    outside = refunded_there - ours
    if outside > 0:
        await conn.execute(
            "INSERT INTO refunds (request, reservation_code, payment_external_id, amount_minor, currency, status,"
            " actor, reason) VALUES ($1, $2, $3, $4, $5, 'approved', $6, $7)",
            f"outside:{ours}",  # what was ours when seen: once per amount seen
            code,
            external_id,
            outside,
            currency,
            OUTSIDE_ACTOR,
            OUTSIDE_REASON,
        )
    return max(0, outside)


async def payment_refunded_minor(conn: Conn, external_id: str) -> int:
    """The payment's `refunded_minor`: its approved refunds."""
    return int(
        await conn.fetchval(
            "SELECT coalesce(sum(amount_minor), 0) FROM refunds WHERE payment_external_id = $1 AND status = 'approved'",
            external_id,
        )
    )


async def _count_refunded(conn: Conn, payment: asyncpg.Record, refund_id: int) -> None:
    """After the refund was approved: the payment's refunded total (and `refunded` once all of it
    went back: its notification then changes nothing; no longer `refund_failed` once none is left
    for a person), `payment.refunded`."""
    refunded = await payment_refunded_minor(conn, payment["external_id"])
    values: dict[str, Any] = {"refunded_minor": refunded}
    if refunded >= payment["amount_minor"]:
        values["status"] = "refunded"
    if payment["issue"] == "refund_failed" and not await conn.fetchval(
        "SELECT 1 FROM refunds WHERE payment_external_id = $1 AND status IN ('rejected', 'failed')",
        payment["external_id"],
    ):
        values["issue"] = "none"
    await store.update_payment(conn, payment["id"], values)
    await store.emit(conn, "payment.refunded", payment["id"], refund_id)


@dataclass(frozen=True)
class OwnerAsk:
    """RefundPayment: the owner gives back `amount_minor` (None: what was paid beyond the total)."""

    code: str
    amount_minor: int | None
    currency: str  # "" = the reservation's
    actor: str
    reason: str
    idempotency_key: str  # "" = none: every call is a new refund


def _checked(r: OwnerAsk) -> None:
    if not r.actor:
        raise invalid("ACTOR_REQUIRED", "Falta quién pide la devolución.")
    if r.amount_minor is not None and r.amount_minor <= 0:
        raise invalid("INVALID_AMOUNT", "El monto a devolver tiene que ser mayor que cero.")
    if len(r.reason) > MAX_REASON:
        raise invalid("REASON_TOO_LONG", f"El motivo puede tener hasta {MAX_REASON} caracteres.")
    if len(r.idempotency_key) > MAX_KEY:
        raise invalid("INVALID_IDEMPOTENCY_KEY", f"La clave de idempotencia puede tener hasta {MAX_KEY} caracteres.")


def owner_amount(asked: int | None, total_minor: int, refundable: int) -> int:
    """What the owner's refund gives back: `asked`, or what was paid beyond the total; refused
    when it is nothing or more than can still go back."""
    amount = max(0, refundable - total_minor) if asked is None else asked
    if amount <= 0:
        raise conflict("NOTHING_TO_REFUND", "No hay nada pagado de más para devolver.")
    if amount > refundable:
        raise invalid("REFUND_TOO_LARGE", "No se puede devolver más de lo que se pagó y no se devolvió todavía.")
    return amount


class Refunds(WorkLoop):
    """The owner's refunds and the worker that sends refunds to Mercado Pago; safe with replicas."""

    def __init__(self, pool: asyncpg.Pool, mp: MercadoPago, booking: Booking, retry_base: float) -> None:
        super().__init__()
        self.pool = pool
        self.mp = mp
        self.booking = booking
        self.retry_base = retry_base

    async def refund(self, r: OwnerAsk) -> asyncpg.Record:
        """The owner's refund (its newest payment's row): made now, or the one made with the same key."""
        _checked(r)
        reservation = await self.booking.reservation(r.code)
        if r.currency and r.currency != reservation.currency:
            raise invalid("CURRENCY_MISMATCH", f"La reserva {reservation.code} se pagó en {reservation.currency}.")
        key = r.idempotency_key or uuid.uuid4().hex
        a = Ask(
            code=reservation.code,
            currency=reservation.currency,
            request=f"owner:{reservation.code}:{key}",
            actor=r.actor,
            reason=r.reason.strip(),
            amount=lambda refundable: owner_amount(r.amount_minor, reservation.total_minor, refundable),
        )
        async with self.pool.acquire() as conn, conn.transaction():
            rows, _ = await ask(conn, a)
        self.kick()
        return rows[0]

    async def settle(self, code: str, refund_id: int, actor: str) -> asyncpg.Record:
        """A person gave the refund back by hand: it counts as approved, recorded with who; once."""
        if not actor:
            raise invalid("ACTOR_REQUIRED", "Falta quién devolvió la plata.")
        async with self.pool.acquire() as conn, conn.transaction():
            found = await conn.fetchrow(
                "SELECT * FROM refunds WHERE id = $1 AND reservation_code = $2", refund_id, code
            )
            if found is None:
                raise not_found(f"La reserva {code} no tiene la devolución {refund_id}.")
            payment = await store.lock_payment(conn, found["payment_external_id"])  # as _approve: payment first
            refund = await fetch_one(conn, "SELECT * FROM refunds WHERE id = $1 FOR UPDATE", refund_id)
            if refund["status"] == "approved":
                return refund
            if refund["status"] not in SETTLEABLE:
                raise conflict(
                    "REFUND_ON_ITS_WAY", "Esa devolución está en camino por Mercado Pago: no hace falta darla a mano."
                )
            await conn.execute(
                "UPDATE refunds SET status = 'approved', settled_by = $2, updated_at = now() WHERE id = $1",
                refund_id,
                actor,
            )
            await _count_refunded(conn, payment, refund_id)
            return await fetch_one(conn, "SELECT * FROM refunds WHERE id = $1", refund_id)

    async def run_once(self, limit: int = 10) -> int:
        """Send the refunds that are due; how many were."""
        async with self.pool.acquire() as conn:
            claimed = await conn.fetch(
                "UPDATE refunds SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)"
                " WHERE id IN (SELECT id FROM refunds WHERE status = 'requested' AND next_attempt_at <= now()"
                " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING *",
                limit,
                LEASE_SECONDS,
            )
        await asyncio.gather(*(self._send(r) for r in claimed))
        return len(claimed)

    async def _send(self, refund: asyncpg.Record) -> None:
        payment = refund["payment_external_id"]
        whole = await self._is_whole(refund)
        try:
            made = await self.mp.refund(payment, None if whole else refund["amount_minor"], idempotency_key(refund))
        except Unavailable as exc:
            if refund["attempts"] < MAX_ATTEMPTS:
                delay = min(self.retry_base * 2 ** (refund["attempts"] - 1), MAX_DELAY_SECONDS)
                log.warning(
                    "refund %s failed (attempt %s), again in %.1f s: %s", refund["id"], refund["attempts"], delay, exc
                )
                await self._record(self._retry, refund["id"], delay, str(exc))
            else:
                await self._record(self._give_up, refund, "failed", str(exc))
        except MercadoPagoError as exc:  # refused (400: not refundable, bad amount) or no such payment
            await self._record(self._give_up, refund, "rejected", str(exc))
        else:
            await self._record(self._approve, refund, made)

    async def _is_whole(self, refund: asyncpg.Record) -> bool:
        """Whether the refund is all of its payment: then asked for without an amount, as Mercado Pago does."""
        async with self.pool.acquire() as conn:
            row = await store.get_payment(conn, refund["payment_external_id"])
        return row is not None and row["amount_minor"] == refund["amount_minor"]

    async def _record(self, write: Callable[..., Any], *args: Any) -> None:
        await record_outcome(self.pool, write, *args, within=LEASE_SECONDS / 2)

    async def _retry(self, conn: Conn, refund_id: int, delay: float, error: str) -> None:
        await conn.execute(
            "UPDATE refunds SET next_attempt_at = now() + make_interval(secs => $2), error = $3, updated_at = now()"
            " WHERE id = $1",
            refund_id,
            delay,
            error[:500],
        )

    async def _approve(self, conn: Conn, refund: asyncpg.Record, made: dict[str, Any]) -> None:
        """Approved: the amount Mercado Pago gave back, then the payment counted again."""
        async with conn.transaction():
            payment = await store.lock_payment(conn, refund["payment_external_id"])
            await conn.execute(
                "UPDATE refunds SET status = 'approved', amount_minor = $2, external_id = $3, error = '',"
                " updated_at = now() WHERE id = $1 AND status = 'requested'",
                refund["id"],
                minor_units(made.get("amount", refund["amount_minor"] / 100)),
                str(made.get("id", "")),
            )
            await _count_refunded(conn, payment, refund["id"])

    async def _give_up(self, conn: Conn, refund: asyncpg.Record, status: str, error: str) -> None:
        """Rejected or failed for good: the payment flagged `refund_failed` for a person, `refund.failed`.
        The payment is fetched again: a refusal may mean it was refunded in the panel meanwhile."""
        log.warning("refund %s %s: %s", refund["id"], status, error)
        async with conn.transaction():
            payment = await store.lock_payment(conn, refund["payment_external_id"])
            await conn.execute(
                "UPDATE refunds SET status = $2, error = $3, updated_at = now() WHERE id = $1 AND status = 'requested'",
                refund["id"],
                status,
                error[:500],
            )
            await store.update_payment(conn, payment["id"], {"issue": "refund_failed"})
            await store.emit(conn, "refund.failed", payment["id"], refund["id"])
            if payment["method"] == "mercado_pago":
                await store.insert_notification(
                    conn,
                    topic="payment",
                    resource_id=payment["external_id"],
                    action="refund.failed",
                    source="reconciliation",
                    body=b"",
                    query={},
                    headers={},
                    received_at=datetime.now().astimezone(),
                    traceparent="",
                )
