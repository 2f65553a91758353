"""Mercado Pago notifications: parse, store (before the webhook is acknowledged),
process exactly once in effect.

The notification is only a hint: the payment is fetched from the API and that
is the truth. Each notification is processed once (a lease keeps replicas off
it, and it is marked processed in the transaction that applies it); the
payment row is locked while a notification is applied, so ten copies of one
notification make one payment row, one confirmation and one event, and
`events_count` 10. When the API or booking is down the notification is
retried later with a growing delay: nothing is lost. A payment the API does
not know yet (it can lag behind its notifications) is retried the same way,
a few times.

One payment confirms a reservation: the first that booking is asked to
confirm it with (claimed in `confirmations` before asking), kind "deposit".
Any other approved payment of that reservation, or one for a reservation
confirmed without a payment (paid in cash), pays towards its balance while it
fits in what is still due (kind "balance"), and beyond that is a
`duplicate_payment` to refund (balance.py). Both count for the stay
(`confirmed_at`): a chargeback after that is flagged `charged_back`. A payment
coming back refunded (or with `transaction_amount_refunded`) beyond our refunds
of it was refunded in Mercado Pago's panel: recorded as a refund once
(refunds.py), flagged `refunded_outside` when its stay is still confirmed.
Every status and issue change is one payment event.
"""

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from prometheus_client import Counter, Gauge

from services.common.db import Conn, record_outcome
from services.common.errors import DomainError, invalid, not_found
from services.common.telemetry import continued
from services.common.workloop import WorkLoop
from services.payments import balance, refunds, store
from services.payments.mercadopago import MercadoPago, MercadoPagoError, NotFound, minor_units
from services.payments.ports import Booking, Outcome

log = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LEASE_SECONDS = 120
NOT_FOUND_ATTEMPTS = 4  # a payment the API still does not know on the 4th try is not one of ours
MAX_DELAY_SECONDS = 900
RECONCILE_WINDOW_SECONDS = 600  # open links whose hold ends within this are checked against Mercado Pago
# Booking's answers for a reference it never issued: the payment names no reservation of ours.
UNKNOWN_REFERENCE = ("NOT_FOUND", "INVALID_ARGUMENT")
PROCESSED = Counter("payments_processed_total", "Payment status changes applied", ["status"])
PENDING = Gauge("payments_notifications_pending", "Stored notifications not processed yet")


@dataclass(frozen=True)
class Received:
    """A notification as the gateway hands it over (signature already verified)."""

    body: bytes
    query: dict[str, str]
    headers: dict[str, str]
    received_at: datetime
    traceparent: str


@dataclass(frozen=True)
class Stored:
    """A stored notification: what the webhook's acknowledgement says."""

    id: int
    topic: str
    resource_id: str


def parse(body: bytes, query: Mapping[str, str]) -> tuple[str, str, str]:
    """(topic, resource id, action) from the JSON body `{type|topic, action, data: {id}}`
    or the query forms `?type=payment&data.id=…` and legacy `?topic=payment&id=…`."""
    data: dict[str, Any] = {}
    if body.strip():
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            data = parsed
        elif not query:
            raise invalid("INVALID_NOTIFICATION", "the body is not a JSON object")
    nested = data["data"] if isinstance(data.get("data"), dict) else {}
    topic = str(query.get("type") or query.get("topic") or data.get("type") or data.get("topic") or "")
    resource = str(query.get("data.id") or query.get("id") or nested.get("id") or "")
    if not resource and isinstance(data.get("resource"), str):  # legacy: a URL ending in the id
        resource = data["resource"].rstrip("/").rsplit("/", 1)[-1]
    if not topic or not _ID.match(resource) or len(topic) > 64:
        raise invalid("INVALID_NOTIFICATION", "a notification needs a topic and a resource id (data.id)")
    return topic.removeprefix("topic_").removesuffix("_wh"), resource, str(data.get("action", ""))[:64]


class Processor(WorkLoop):
    """Stores and applies notifications; one per service process, safe with replicas."""

    def __init__(self, pool: asyncpg.Pool, mp: MercadoPago, booking: Booking, retry_base: float) -> None:
        super().__init__()
        self.pool = pool
        self.mp = mp
        self.booking = booking
        self.retry_base = retry_base
        # Applying a payment may take a second connection (its confirmation claim): at most half
        # the pool applies at once, so the other half is always there for the claims.
        self._applying = asyncio.Semaphore(max(1, pool.get_max_size() // 2))

    async def receive(self, notification: Received) -> Stored:
        """Store a notification; it is durable when this returns, processed after."""
        topic, resource_id, action = parse(notification.body, notification.query)
        async with self.pool.acquire() as conn:
            notification_id = await store.insert_notification(
                conn,
                topic=topic,
                resource_id=resource_id,
                action=action,
                source="webhook",
                body=notification.body,
                query=notification.query,
                headers=notification.headers,
                received_at=notification.received_at,
                traceparent=notification.traceparent,
            )
        self.kick()
        return Stored(notification_id, topic, resource_id)

    async def reprocess(self, notification_id: int) -> Stored:
        """Process a stored notification again (the payment is fetched anew)."""
        async with self.pool.acquire() as conn:
            row = await store.reopen(conn, notification_id)
        if row is None:
            raise not_found("No such notification.")
        self.kick()
        return Stored(row["id"], row["topic"], row["resource_id"])

    async def run_once(self, limit: int = 20) -> int:
        claimed: list[asyncpg.Record] = []
        try:
            async with self.pool.acquire() as conn:
                PENDING.set(await store.pending_count(conn))
                claimed = await store.claim_due(conn, limit, LEASE_SECONDS)
        finally:  # what was claimed is handled even when handing the connection back fails
            await asyncio.gather(*(self._handle(n) for n in claimed))
        return len(claimed)

    async def _handle(self, notification: asyncpg.Record) -> None:
        with continued("mercadopago.notification", notification["traceparent"]):  # in the webhook's trace
            await self._handle_in_trace(notification)

    async def _handle_in_trace(self, notification: asyncpg.Record) -> None:
        try:
            await self._process(notification)
        except NotFound as exc:
            if notification["attempts"] < NOT_FOUND_ATTEMPTS:
                await self._retry_later(notification, exc)
            else:
                note = "Mercado Pago does not know this payment"
                await self._record(store.mark_processed, notification["id"], note)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the notification is kept and retried
            await self._retry_later(notification, exc)

    async def _retry_later(self, notification: asyncpg.Record, exc: Exception) -> None:
        delay = min(self.retry_base * 2 ** (notification["attempts"] - 1), MAX_DELAY_SECONDS)
        log.warning(
            "notification %s failed (attempt %s), retrying in %.1f s: %s",
            notification["id"],
            notification["attempts"],
            delay,
            exc,
        )
        await self._record(store.reschedule, notification["id"], delay, f"{type(exc).__name__}: {exc}")

    async def _record(self, write: Callable[..., Awaitable[None]], *args: Any) -> None:
        """The notification's outcome, also across a database restart (within the lease)."""
        await record_outcome(self.pool, write, *args, within=LEASE_SECONDS / 2)

    async def _process(self, notification: asyncpg.Record) -> None:
        if notification["topic"] != "payment":
            async with self.pool.acquire() as conn:
                await store.mark_processed(conn, notification["id"], f"topic {notification['topic']} not handled")
            return
        payment = await self.mp.get_payment(notification["resource_id"])  # the truth, not the hint
        async with self._applying, self.pool.acquire() as conn, conn.transaction():
            await self._apply(conn, notification, payment)

    async def _apply(self, conn: Conn, notification: asyncpg.Record, mp: dict[str, Any]) -> None:
        row = await store.lock_payment(conn, str(mp["id"]))
        now = datetime.now().astimezone()
        before = (row["status"], row["issue"])
        values: dict[str, Any] = {
            "reservation_code": str(mp.get("external_reference") or "")[:64],
            "status": "cancelled" if mp.get("status") == "canceled" else str(mp.get("status", "unknown")),
            "status_detail": str(mp.get("status_detail") or ""),
            "amount_minor": minor_units(mp.get("transaction_amount") or 0),
            "currency": str(mp.get("currency_id") or ""),
            "events_count": row["events_count"] + 1,
            "first_event_at": row["first_event_at"] or now,
            "last_event_at": now,
            "raw": mp,
        }
        if values["status"] == "approved" and row["confirmed_at"] is None and row["issue"] == "none":
            values |= await self._confirm(conn, values)
        elif values["status"] == "charged_back" and row["confirmed_at"] is not None:
            values["issue"] = "charged_back"
        outside = await self._refunded_outside(conn, row, values)
        row = await store.update_payment(conn, row["id"], values)
        if row["status"] != before[0]:
            PROCESSED.labels(row["status"]).inc()
            await store.emit(conn, f"payment.{row['status']}", row["id"])
        if outside and row["status"] in (before[0], "approved"):  # else its status event said so
            await store.emit(conn, "payment.refunded", row["id"])
        if row["issue"] != before[1]:
            await store.emit(conn, "payment.issue", row["id"])
        await store.mark_processed(conn, notification["id"])

    async def _refunded_outside(self, conn: Conn, row: asyncpg.Record, values: dict[str, Any]) -> int:
        """What Mercado Pago says went back of the payment beyond our refunds, recorded as a refund made
        in its panel (refunds.seen), and its refunded total into `values`. Made after the payment
        counted for a stay still confirmed, it is flagged `refunded_outside`: the stay is not paid."""
        there = minor_units(values["raw"].get("transaction_amount_refunded") or 0)
        if values["status"] == "refunded":  # all of it, whatever the field says
            there = max(there, values["amount_minor"])
        code, external_id = values["reservation_code"], row["external_id"]
        outside = await refunds.seen(conn, external_id, code, values["currency"], there)
        values["refunded_minor"] = await refunds.payment_refunded_minor(conn, external_id)
        counted = values.get("confirmed_at") or row["confirmed_at"]  # before, or by this notification
        if outside and counted is not None and await self._still_confirmed(code):
            values["issue"] = "refunded_outside"
        return outside

    async def _still_confirmed(self, code: str) -> bool:
        try:
            return (await self.booking.reservation(code)).status == "confirmed"
        except DomainError as exc:
            if exc.reason in UNKNOWN_REFERENCE:
                return False
            raise

    async def _confirm(self, conn: Conn, payment: dict[str, Any]) -> dict[str, Any]:
        """Count the payment for the reservation it names: confirm a hold with it, or take it towards a
        confirmed stay's balance (balance.counted); flag what pays for nothing."""
        code = payment["reservation_code"]
        await store.lock_reservation(conn, code)  # payments of one stay are counted one after the other
        try:
            reservation = await self.booking.reservation(code)
        except DomainError as exc:
            if exc.reason in UNKNOWN_REFERENCE:
                return {"issue": "unknown_reference"}
            raise
        if payment["currency"] != reservation.currency:
            return {"issue": "currency_mismatch"}
        external_id = str(payment["raw"]["id"])
        if reservation.status == "confirmed" and await store.confirmation_holder(conn, code) != external_id:
            return await balance.counted(conn, reservation, external_id, payment["amount_minor"])
        if payment["amount_minor"] < reservation.deposit_minor:
            return {"issue": "amount_mismatch"}
        async with self.pool.acquire() as own:  # committed at once: it must outlive this transaction failing
            claimant, claimed_now = await store.claim_confirmation(own, code, external_id)
        if claimant != external_id:  # another payment confirmed it
            return await balance.counted(conn, reservation, external_id, payment["amount_minor"])
        outcome = await self.booking.confirm(code, payment_reference=f"mercadopago:{external_id}", actor="payments")
        if outcome is Outcome.ALREADY_CONFIRMED and claimed_now:
            # Confirmed meanwhile without a payment (by the owner). Released, so that a retry of this
            # payment, should this transaction fail, is not taken for the one that confirmed it.
            async with self.pool.acquire() as own:
                await store.release_confirmation(own, code, external_id)
            return await balance.counted(conn, reservation, external_id, payment["amount_minor"])
        if outcome is Outcome.PAID_BUT_UNAVAILABLE:
            return {"issue": "paid_but_unavailable"}
        # Confirmed, re-taken, or already confirmed with the claim of an earlier try of this
        # payment: booking confirmed for it then and that try's transaction was lost.
        return {"confirmed_at": datetime.now().astimezone(), "kind": "deposit"}

    async def reconcile_every(self, seconds: float) -> None:
        """Reconcile forever, a pass every `seconds`."""
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.reconcile(RECONCILE_WINDOW_SECONDS)
            except Exception:
                log.warning("reconciliation pass failed", exc_info=True)

    async def reconcile(self, within_seconds: float) -> int:
        """Ask Mercado Pago about open links near expiry: notifications do get lost.
        A payment found is queued exactly as if it had been notified."""
        queued = 0
        async with self.pool.acquire() as conn:
            codes = await store.links_to_reconcile(conn, within_seconds)
        for code in codes:
            try:
                found = await self.mp.search_payments(code)
            except MercadoPagoError as exc:
                log.warning("reconciliation of %s failed: %s", code, exc)
                continue
            async with self.pool.acquire() as conn:
                for payment in found:
                    if await store.known_status(conn, str(payment["id"])) == payment.get("status"):
                        continue
                    await store.insert_notification(
                        conn,
                        topic="payment",
                        resource_id=str(payment["id"]),
                        action="reconciliation",
                        source="reconciliation",
                        body=b"",
                        query={},
                        headers={},
                        received_at=datetime.now().astimezone(),
                        traceparent="",
                    )
                    queued += 1
        if queued:
            self.kick()
        return queued
