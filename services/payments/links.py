"""Checkout Pro links for a reservation's deposit, one per reservation."""

import logging
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from services.common.errors import conflict, unavailable
from services.payments import store
from services.payments.mercadopago import MercadoPago, MercadoPagoError
from services.payments.ports import Booking, Reservation

log = logging.getLogger(__name__)

MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def _day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]}"


def preference(r: Reservation, public_url: str, payer_email: str) -> dict[str, Any]:
    """The Checkout Pro preference for the deposit of a held stay."""
    body: dict[str, Any] = {
        "items": [
            {
                "id": r.code,
                "title": f"Seña {r.accommodation_name} {_day(r.check_in)} → {_day(r.check_out)} ({r.nights} noches)",
                "quantity": 1,
                "currency_id": r.currency,
                "unit_price": r.deposit_minor / 100,
            }
        ],
        "external_reference": r.code,
        "notification_url": f"{public_url}/api/v1/webhooks/mercadopago?source_news=webhooks",
        "back_urls": {
            "success": f"{public_url}/pago/ok",
            "pending": f"{public_url}/pago/pendiente",
            "failure": f"{public_url}/pago/error",
        },
        "auto_return": "approved",
        "expires": True,
        "expiration_date_from": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "expiration_date_to": r.expires_at.isoformat(timespec="milliseconds"),
        "binary_mode": True,
        "statement_descriptor": "CABANAS",
    }
    if payer_email:
        body["payer"] = {"email": payer_email}
    return body


class Links:
    """Creates the links; `public_url` is where Mercado Pago sends the guest back and notifies."""

    def __init__(self, pool: asyncpg.Pool, mp: MercadoPago, booking: Booking, public_url: str, sandbox: bool) -> None:
        self.pool = pool
        self.mp = mp
        self.booking = booking
        self.public_url = public_url
        self.sandbox = sandbox

    async def create(self, code: str, payer_email: str) -> asyncpg.Record:
        """The reservation's link, created once (the idempotency key covers retries)."""
        reservation = await self.booking.reservation(code)
        async with self.pool.acquire() as conn:
            existing = await store.get_link(conn, reservation.code)
        if existing:
            return existing
        if reservation.status != "pre_reserved":
            raise conflict("NOT_PAYABLE", f"La reserva {reservation.code} no está esperando un pago.")
        try:
            created = await self.mp.create_preference(
                preference(reservation, self.public_url, payer_email), idempotency_key=f"preference-{reservation.code}"
            )
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
