"""14. Small ones: a Mercado Pago 404 right after a notification is final although the API lags.

Mercado Pago can notify a payment before its API serves it. A 404 for the notified payment is
retried with the growing delay of any failure (PAYMENTS_RETRY_BASE_SECONDS, doubling); only the
fourth in a row sets the notification aside as "Mercado Pago does not know this payment"
(services/payments/tests/test_notifications.py shows the giving up)."""

import asyncio

import asyncpg
import grpc
import httpx

from cabanas.v1 import booking_pb2_grpc, payments_pb2, payments_pb2_grpc
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack
from tests.test_payments import fake_payment, notify, payment, reserve, status_of, wait_for


def _paid_while_the_api_lags(stack: Stack, infra: Infra) -> str:
    """A paid hold whose payment the API answers 404 for twice; its payment id, once confirmed."""
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        held = reserve(stack, make_cabin(booking_pb2_grpc.BookingServiceStub(channel)).id)
    payment_id = fake_payment(infra, held["code"], held["deposit"])
    httpx.post(f"{infra.mercadopago_url}/_control/state", json={"failures": [404, 404]})  # not served yet
    assert notify(stack, payment_id).status_code == 200
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", what="confirmation after two 404s")
    with grpc.insecure_channel(stack.addr("payments")) as channel:
        stub = payments_pb2_grpc.PaymentsServiceStub(channel)
        found = wait_for(lambda: (p := payment(stub, payment_id)) and p.events_count == 1 and p, what="recorded")
    assert found.issue == payments_pb2.PAYMENT_ISSUE_NONE
    return payment_id


async def test_a_payment_served_after_two_404s_confirms_its_reservation(stack: Stack, infra: Infra) -> None:
    payment_id = await asyncio.to_thread(_paid_while_the_api_lags, stack, infra)
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        tried = await conn.fetchrow(
            "SELECT attempts, processed_at, last_error FROM payments.notifications WHERE resource_id = $1", payment_id
        )
    finally:
        await conn.close()
    assert tried is not None and tried["processed_at"] is not None
    assert tried["attempts"] == 3 and tried["last_error"] is None  # two 404s, then the payment
