"""Checkout Pro links for a reservation's deposit, one per reservation."""

from datetime import UTC, datetime

import asyncpg

from cabanas.v1 import booking_pb2, common_pb2
from services.payments import store
from services.payments.mercadopago import MercadoPago

MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


class NotPayable(ValueError):
    """The reservation is not waiting for a payment."""


def _day(value: common_pb2.Date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]}"


def preference(reservation: booking_pb2.Reservation, public_url: str, payer_email: str) -> dict[str, object]:
    """The Checkout Pro preference for the deposit of a held stay."""
    r = reservation
    expires = r.expires_at.ToDatetime(tzinfo=UTC)
    body: dict[str, object] = {
        "items": [
            {
                "id": r.code,
                "title": f"Seña {r.accommodation_name} {_day(r.stay.start)} → {_day(r.stay.end)} ({r.nights} noches)",
                "quantity": 1,
                "currency_id": r.deposit.currency,
                "unit_price": r.deposit.amount_minor / 100,
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
        "expiration_date_to": expires.isoformat(timespec="milliseconds"),
        "binary_mode": True,
        "statement_descriptor": "CABANAS",
    }
    if payer_email:
        body["payer"] = {"email": payer_email}
    return body


async def create(
    pool: asyncpg.Pool,
    mp: MercadoPago,
    reservation: booking_pb2.Reservation,
    public_url: str,
    payer_email: str,
    sandbox: bool,
) -> asyncpg.Record:
    """The reservation's link, created once (the idempotency key covers retries)."""
    async with pool.acquire() as conn:
        existing = await store.get_link(conn, reservation.code)
    if existing:
        return existing
    if reservation.status != common_pb2.RESERVATION_STATUS_PRE_RESERVED:
        raise NotPayable(f"La reserva {reservation.code} no está esperando un pago.")
    created = await mp.create_preference(
        preference(reservation, public_url, payer_email), idempotency_key=f"preference-{reservation.code}"
    )
    async with pool.acquire() as conn:
        return await store.insert_link(
            conn,
            {
                "reservation_code": reservation.code,
                "preference_id": str(created["id"]),
                "init_point": str(created["init_point"]),
                "amount_minor": reservation.deposit.amount_minor,
                "currency": reservation.deposit.currency,
                "expires_at": reservation.expires_at.ToDatetime(tzinfo=UTC),
                "sandbox": sandbox,
            },
        )
