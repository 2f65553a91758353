"""6. A second payment is silently kept.

An approved payment for a reservation that is already confirmed (by another payment of its link,
or by the owner, e.g. paid in cash) does not count as a confirmation: within what is still due it
pays the balance (tests/test_balance.py), beyond it it is flagged `duplicate_payment` (a second
charge to refund) with one `payment.issue` event, however often its notification is replayed. A
refund made outside (in Mercado Pago's panel) after confirming is flagged `refunded_outside` and a
chargeback `charged_back`, each with its status event and a `payment.issue` event.

Duplicates are shown through the gateway against the session's Mercado Pago fake; the shared
fake cannot change a payment once made, so refunds and chargebacks are shown on the processor
with the unit tests' fake of the API (services/payments/tests/fakes.py)."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, payments_pb2, payments_pb2_grpc
from services.booking.tests.helpers import make_cabin
from services.payments import store
from services.payments.mercadopago import MercadoPago
from services.payments.notifications import Processor
from services.payments.tests.fakes import FakeBooking, FakeMercadoPago
from services.payments.tests.test_notifications import webhook
from tests.stack import Infra, Stack, admin_token
from tests.test_payments import fake_payment, notify, payment, reserve, status_of, wait_for
from testsupport.db import scratch_schema

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "payments" / "migrations"
DUPLICATE = payments_pb2.PAYMENT_ISSUE_DUPLICATE_PAYMENT


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[booking_pb2_grpc.BookingServiceStub]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


@pytest.fixture(scope="module")
def payments(stack: Stack) -> Iterator[payments_pb2_grpc.PaymentsServiceStub]:
    with grpc.insecure_channel(stack.addr("payments")) as channel:
        yield payments_pb2_grpc.PaymentsServiceStub(channel)


def _cursor(payments: payments_pb2_grpc.PaymentsServiceStub) -> int:
    return max((e.id for e in payments.StreamEvents(payments_pb2.StreamPaymentEventsRequest())), default=0)


def _events(payments: payments_pb2_grpc.PaymentsServiceStub, after: int, payment_id: str) -> list[str]:
    request = payments_pb2.StreamPaymentEventsRequest(after_id=after)
    return [e.type for e in payments.StreamEvents(request) if e.payment.external_id == payment_id]


def _applied(payments: payments_pb2_grpc.PaymentsServiceStub, payment_id: str, count: int) -> payments_pb2.Payment:
    found = wait_for(
        lambda: (p := payment(payments, payment_id)) and p.events_count == count and p,
        what=f"{count} notifications of {payment_id} applied",
    )
    assert isinstance(found, payments_pb2.Payment)
    return found


def _another_payment(stack: Stack, infra: Infra, code: str, amount_minor: int) -> str:
    """Another approved payment of `code`, its notification sent twice (a replay); its id."""
    second = fake_payment(infra, code, amount_minor)
    assert [notify(stack, second).status_code for _ in range(2)] == [200, 200]
    return second


def test_a_link_another_payment_flags_the_second_payment(
    stack: Stack,
    infra: Infra,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
) -> None:
    held = reserve(stack, make_cabin(booking).id)
    booking_start = max((e.id for e in booking.StreamEvents(booking_pb2.StreamEventsRequest())), default=0)
    first = fake_payment(infra, held["code"], held["deposit"])
    assert notify(stack, first).status_code == 200
    assert _applied(payments, first, 1).issue == payments_pb2.PAYMENT_ISSUE_NONE
    after = _cursor(payments)
    second = _another_payment(stack, infra, held["code"], held["total"])  # beyond what is due
    flagged = _applied(payments, second, 2)
    assert (flagged.status, flagged.issue) == (payments_pb2.PAYMENT_STATUS_APPROVED, DUPLICATE)
    assert _events(payments, after, second) == ["payment.approved", "payment.issue"]  # the replay adds none
    assert _applied(payments, first, 1).issue == payments_pb2.PAYMENT_ISSUE_NONE
    confirmations = [
        e
        for e in booking.StreamEvents(booking_pb2.StreamEventsRequest(after_id=booking_start))
        if e.type == "reservation.confirmed" and e.reservation.code == held["code"]
    ]
    assert len(confirmations) == 1 and status_of(stack, held["code"]) == "confirmed"
    auth = {"Authorization": f"Bearer {admin_token()}"}
    listed = httpx.get(f"{stack.gateway_url}/api/v1/admin/reservations/{held['code']}/payments", headers=auth)
    assert {p["external_id"]: p["issue"] for p in listed.json()} == {first: "none", second: "duplicate_payment"}


def test_a_cash_confirmed_booking_paid_online_flags_the_payment(
    stack: Stack,
    infra: Infra,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
) -> None:
    held = reserve(stack, make_cabin(booking).id)
    auth = {"Authorization": f"Bearer {admin_token()}"}
    cash = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/reservations/{held['code']}/payments",
        json={"amount_minor": held["total"], "method": "cash"},  # the whole stay, in cash
        headers=auth,
    )
    assert cash.status_code == 201 and status_of(stack, held["code"]) == "confirmed", cash.text
    after = _cursor(payments)
    online = _another_payment(stack, infra, held["code"], held["deposit"])
    assert _applied(payments, online, 2).issue == DUPLICATE
    assert _events(payments, after, online) == ["payment.approved", "payment.issue"]


# Refunds and chargebacks after confirming: on the processor -----------------------------------


@pytest.fixture
async def pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    async with scratch_schema(infra.postgres.url, "payments", MIGRATIONS) as pool:
        yield pool


@pytest.mark.parametrize(("status", "issue"), [("refunded", "refunded_outside"), ("charged_back", "charged_back")])
async def test_a_refund_or_chargeback_after_confirming_is_flagged_with_events(
    pool: asyncpg.Pool, status: str, issue: str
) -> None:
    booking = FakeBooking()
    with FakeMercadoPago() as api:
        mp = MercadoPago(api.url, "TEST-token", attempts=1)
        processor = Processor(pool, mp, booking, retry_base=0.2)
        try:
            held = booking.hold()
            payment_id = api.pay(held.code, held.deposit_minor)
            await processor.receive(webhook(payment_id))
            await processor.run_once()
            api.payments[payment_id]["status"] = status
            for _ in range(2):  # a replay changes nothing more
                await processor.receive(webhook(payment_id))
                await processor.run_once()
        finally:
            await mp.close()
    async with pool.acquire() as conn:
        row = await store.get_payment(conn, payment_id)
        events = [r["event_type"] for r in await store.events_after(conn, 0, 100)]
    assert row is not None and (row["status"], row["issue"]) == (status, issue)
    assert events == ["payment.approved", f"payment.{status}", "payment.issue"]
