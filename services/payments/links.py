"""Checkout Pro links of a reservation: its deposit's (one, while held) and its balance's (once
confirmed, for what is due; replaced when that changes)."""

import logging
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from services.common import cancellation
from services.common.errors import conflict, unavailable
from services.payments import store
from services.payments.mercadopago import MercadoPago, MercadoPagoError
from services.payments.ports import Booking, Reservation

log = logging.getLogger(__name__)

MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def _day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]}"


def _body(r: Reservation, title: str, amount_minor: int, kind: str, public_url: str) -> dict[str, Any]:
    """A Checkout Pro preference paying `amount_minor` of the stay; `kind` comes back in the payment's metadata."""
    return {
        "items": [
            {
                "id": r.code,
                "title": f"{title} {r.accommodation_name} {_day(r.check_in)} → {_day(r.check_out)} ({r.nights} noches)",
                # Shown before paying: what cancelling gives back (the policy as booked).
                "description": f"Política de cancelación: {cancellation.describe(r.rules)}",
                "quantity": 1,
                "currency_id": r.currency,
                "unit_price": amount_minor / 100,
            }
        ],
        "external_reference": r.code,
        "metadata": {"kind": kind},
        "notification_url": f"{public_url}/api/v1/webhooks/mercadopago?source_news=webhooks",
        "back_urls": {
            "success": f"{public_url}/pago/ok",
            "pending": f"{public_url}/pago/pendiente",
            "failure": f"{public_url}/pago/error",
        },
        "auto_return": "approved",
        "binary_mode": True,
        "statement_descriptor": "CABANAS",
    }


def preference(r: Reservation, public_url: str, payer_email: str) -> dict[str, Any]:
    """The Checkout Pro preference for the deposit of a held stay: it expires with the hold."""
    body = _body(r, "Seña", r.deposit_minor, "deposit", public_url) | {
        "expires": True,
        "expiration_date_from": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "expiration_date_to": r.expires_at.isoformat(timespec="milliseconds"),
    }
    if payer_email:
        body["payer"] = {"email": payer_email}
    return body


def balance_preference(r: Reservation, due_minor: int, public_url: str) -> dict[str, Any]:
    """The preference for the rest of a confirmed stay; no hold to expire with, so it does not."""
    return _body(r, "Saldo", due_minor, "balance", public_url) | {"expires": False}


class Links:
    """Creates the links; `public_url` is where Mercado Pago sends the guest back and notifies."""

    def __init__(self, pool: asyncpg.Pool, mp: MercadoPago, booking: Booking, public_url: str, sandbox: bool) -> None:
        self.pool = pool
        self.mp = mp
        self.booking = booking
        self.public_url = public_url
        self.sandbox = sandbox

    async def create(self, code: str, payer_email: str) -> asyncpg.Record:
        """The held reservation's link, created once (the idempotency key covers retries); none once
        it is paid, cancelled or run out, even if one was made."""
        reservation = await self.booking.reservation(code)
        if reservation.status != "pre_reserved":
            raise conflict("NOT_PAYABLE", f"La reserva {reservation.code} no está esperando un pago.")
        async with self.pool.acquire() as conn:
            existing = await store.get_link(conn, reservation.code)
        if existing:
            return existing
        try:
            body = preference(reservation, self.public_url, payer_email or reservation.guest_email)
            created = await self.mp.create_preference(body, idempotency_key=f"preference-{reservation.code}")
        except MercadoPagoError as exc:
            log.warning("payment link for %s failed: %s", reservation.code, exc)
            raise unavailable("MERCADOPAGO_UNAVAILABLE", "Mercado Pago did not answer.") from exc
        async with self.pool.acquire() as conn:
            return await store.insert_link(
                conn,
                {
                    "reservation_code": reservation.code,
                    "preference_id": str(created["id"]),
                    "init_point": str(created["init_point"]),
                    "amount_minor": reservation.deposit_minor,
                    "currency": reservation.currency,
                    "expires_at": reservation.expires_at,
                    "sandbox": self.sandbox,
                },
            )

    async def balance(self, reservation: Reservation, due_minor: int) -> asyncpg.Record | None:
        """The link paying `due_minor` of a confirmed stay, created once per amount (the idempotency key
        names it); None while Mercado Pago does not answer (asked again next time)."""
        async with self.pool.acquire() as conn:
            existing = await store.get_link(conn, reservation.code, "balance")
        if existing and existing["amount_minor"] == due_minor:
            return existing
        key = f"balance-{reservation.code}-{due_minor}"
        try:
            created = await self.mp.create_preference(
                balance_preference(reservation, due_minor, self.public_url), idempotency_key=key
            )
        except MercadoPagoError as exc:
            log.warning("balance link for %s failed: %s", reservation.code, exc)
            return None
        async with self.pool.acquire() as conn:
            return await store.put_link(
                conn,
                {
                    "reservation_code": reservation.code,
                    "kind": "balance",
                    "preference_id": str(created["id"]),
                    "init_point": str(created["init_point"]),
                    "amount_minor": due_minor,
                    "currency": reservation.currency,
                    "expires_at": None,
                    "sandbox": self.sandbox,
                },
            )
