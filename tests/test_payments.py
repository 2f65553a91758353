"""Payments through the gateway with a local fake of the Mercado Pago API:
signed webhooks, exactly-once confirmation, outages, fraud checks, the sandbox."""

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, payments_pb2, payments_pb2_grpc
from devtools.devstack import stop_children
from gateway.signatures import mercadopago_signature
from services.booking.tests.helpers import make_cabin
from tests.stack import MERCADOPAGO_SECRET, Infra, Stack, stack_env, start_stack
from testsupport.otlp import OtlpReceiver


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def payments(stack: Stack) -> Iterator[payments_pb2_grpc.PaymentsServiceStub]:
    with grpc.insecure_channel(stack.addr("payments")) as channel:
        yield payments_pb2_grpc.PaymentsServiceStub(channel)


def wait_for(check: Callable[[], Any], timeout: float = 15, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def reserve(stack: Stack, cabin_id: int, start: int = 40, end: int = 42) -> dict[str, Any]:
    reply = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin_id,
            "check_in": day(start),
            "check_out": day(end),
            "guests": 2,
            "guest_name": "Ana Pérez",
            "guest_phone": "+5491155555555",
        },
    )
    assert reply.status_code == 201, reply.text
    held: dict[str, Any] = reply.json()
    return held


def checkout(held: dict[str, Any]) -> str:
    """The Mercado Pago checkout the hold's payment link (ours, /pagar/...) redirects to."""
    opened = httpx.get(held["payment_url"])
    assert opened.status_code == 303, opened.text
    return opened.headers["location"]


def fake_payment(infra: Infra, code: str, amount_minor: int, status: str = "approved", currency: str = "ARS") -> str:
    reply = httpx.post(
        f"{infra.mercadopago_url}/_control/payments",
        json={"status": status, "amount": amount_minor / 100, "currency": currency, "external_reference": code},
    )
    return str(reply.json()["id"])


def notify(stack: Stack, payment_id: str, secret: str = MERCADOPAGO_SECRET, **change: Any) -> httpx.Response:
    request_id, ts = str(uuid.uuid4()), str(int(time.time() * 1000))
    headers = {"x-request-id": request_id, "x-signature": mercadopago_signature(secret, payment_id, request_id, ts)}
    headers.update(change.pop("headers", {}))
    body = {"action": "payment.updated", "type": "payment", "data": {"id": payment_id}}
    return httpx.post(
        f"{stack.gateway_url}/api/v1/webhooks/mercadopago?data.id={payment_id}&type=payment",
        json=body,
        headers=headers,
        **change,
    )


def status_of(stack: Stack, code: str) -> str:
    return str(httpx.get(f"{stack.gateway_url}/api/v1/reservations/{code}").json()["status"])


def payment(payments: payments_pb2_grpc.PaymentsServiceStub, payment_id: str) -> payments_pb2.Payment | None:
    try:
        return payments.GetPayment(payments_pb2.GetPaymentRequest(external_id=payment_id))
    except grpc.RpcError:
        return None


async def notification_count(infra: Infra) -> int:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM payments.notifications"))
    finally:
        await conn.close()


def test_pay_in_the_checkout_confirms_the_reservation(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id)
    assert held["payment_url"].startswith(f"{stack.gateway_url}/pagar/{held['code']}/")
    assert not httpx.get(f"{infra.mercadopago_url}/_control/preferences").json().get(held["code"])
    url = checkout(held)
    assert url.startswith(f"{infra.mercadopago_url}/checkout/") and checkout(held) == url  # made once
    page = httpx.get(url)
    assert page.status_code == 200 and "Pagar" in page.text and "Seña" in page.text
    prefs = httpx.get(f"{infra.mercadopago_url}/_control/preferences").json()
    pref = next(p for p in prefs.values() if p["external_reference"] == held["code"])
    assert pref["items"][0]["unit_price"] == held["deposit"] / 100
    assert pref["notification_url"].startswith(f"{stack.gateway_url}/api/v1/webhooks/mercadopago")
    assert pref["idempotency_key"] == f"preference-{held['code']}"
    paid = httpx.post(f"{url}/pay")
    assert "Pago aprobado" in paid.text and "HTTP 200" in paid.text
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", what="confirmation")


def test_the_payment_link_is_ours_signed_and_only_while_held(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    reply = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin.id,
            "check_in": day(44),
            "check_out": day(46),
            "guests": 2,
            "guest_name": "Ana Pérez",
            "guest_phone": "+5491155555555",
            "guest_email": "ana@example.com",
        },
    )
    held = reply.json()
    link = held["payment_url"]
    other = reserve(stack, cabin.id, 50, 52)
    for forged in (
        link[:-2] + ("AA" if not link.endswith("AA") else "BB"),  # a signature off
        link.replace(held["code"], other["code"]),  # another code under this one's signature
        f"{stack.gateway_url}/pagar/{held['code']}/",
    ):
        answer = httpx.get(forged)
        assert answer.status_code == 404 and "No encontramos este link" in answer.text, forged
    url = checkout(held)
    prefs = httpx.get(f"{infra.mercadopago_url}/_control/preferences").json()
    pref = next(p for p in prefs.values() if p["external_reference"] == held["code"])
    assert pref["payer"] == {"email": "ana@example.com"}  # from the reservation, the link carries none
    assert "Pago aprobado" in httpx.post(f"{url}/pay").text
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", what="confirmation")
    page = httpx.get(link)
    assert page.status_code == 200 and "Esta reserva ya no espera un pago" in page.text
    assert f"Reserva {held['code']}: Confirmada" in page.text


async def test_bad_signatures_are_refused_and_nothing_is_stored(stack: Stack, infra: Infra) -> None:
    before = await notification_count(infra)
    async with httpx.AsyncClient(base_url=stack.gateway_url) as client:
        url = "/api/v1/webhooks/mercadopago?data.id=123&type=payment"
        assert (await client.post(url, json={})).status_code == 403  # no header
        ts = str(int(time.time() * 1000))
        wrong = {"x-request-id": "r", "x-signature": mercadopago_signature("wrong", "123", "r", ts)}
        assert (await client.post(url, json={}, headers=wrong)).status_code == 403
        tampered = {"x-request-id": "r", "x-signature": mercadopago_signature(MERCADOPAGO_SECRET, "124", "r", ts)}
        assert (await client.post(url, json={}, headers=tampered)).status_code == 403
        old = str(int((time.time() - 3600) * 1000))
        stale = {"x-request-id": "r", "x-signature": mercadopago_signature(MERCADOPAGO_SECRET, "123", "r", old)}
        reply = await client.post(url, json={}, headers=stale)
        assert reply.status_code == 403 and reply.json()["error"]["code"] == "forbidden"
        big = await client.post(url, content=b"x" * (65 * 1024), headers=wrong)
        assert big.status_code == 413
    assert await notification_count(infra) == before


def test_a_notification_without_an_id_is_refused(stack: Stack) -> None:
    ts = str(int(time.time() * 1000))
    headers = {"x-request-id": "r", "x-signature": mercadopago_signature(MERCADOPAGO_SECRET, None, "r", ts)}
    reply = httpx.post(f"{stack.gateway_url}/api/v1/webhooks/mercadopago", content=b"not json", headers=headers)
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "invalid_notification"


async def test_ten_duplicate_notifications_confirm_once(
    stack: Stack,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
    infra: Infra,
) -> None:
    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id)
    events_start = max((e.id for e in booking.StreamEvents(booking_pb2.StreamEventsRequest())), default=0)
    pay_start = max((e.id for e in payments.StreamEvents(payments_pb2.StreamPaymentEventsRequest())), default=0)
    payment_id = fake_payment(infra, held["code"], held["deposit"])
    replies = await asyncio.gather(*(asyncio.to_thread(notify, stack, payment_id) for _ in range(10)))
    assert [r.status_code for r in replies] == [200] * 10
    wait_for(lambda: (p := payment(payments, payment_id)) and p.events_count == 10, what="10 events")
    assert status_of(stack, held["code"]) == "confirmed"
    confirmations = [
        e
        for e in booking.StreamEvents(booking_pb2.StreamEventsRequest(after_id=events_start))
        if e.type == "reservation.confirmed" and e.reservation.code == held["code"]
    ]
    assert len(confirmations) == 1
    guest_events = [
        e.type
        for e in payments.StreamEvents(payments_pb2.StreamPaymentEventsRequest(after_id=pay_start))
        if e.payment.external_id == payment_id
    ]
    assert guest_events == ["payment.approved"]
    listed = payments.ListPayments(payments_pb2.ListPaymentsRequest(reservation_code=held["code"])).payments
    assert len(listed) == 1


def test_api_errors_are_retried_and_processed_once(
    stack: Stack,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
    infra: Infra,
) -> None:
    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id)
    payment_id = fake_payment(infra, held["code"], held["deposit"])
    httpx.post(f"{infra.mercadopago_url}/_control/state", json={"failures": [500, 500]})
    assert notify(stack, payment_id).status_code == 200
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", what="confirmation after two 500s")
    # booking confirms before payments commits its own record: wait for that too
    wait_for(lambda: (p := payment(payments, payment_id)) and p.events_count == 1, what="payment recorded once")


def test_api_down_for_a_while_then_processed(
    stack: Stack,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
    infra: Infra,
) -> None:
    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id)
    payment_id = fake_payment(infra, held["code"], held["deposit"])
    httpx.post(f"{infra.mercadopago_url}/_control/state", json={"down": True})
    try:
        assert notify(stack, payment_id).status_code == 200  # acknowledged: stored, not yet processed
        time.sleep(4)  # several failed passes; the circuit opens
        assert status_of(stack, held["code"]) == "pre_reserved"
    finally:
        httpx.post(f"{infra.mercadopago_url}/_control/state", json={"down": False})
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", timeout=30, what="confirmation after recovery")
    # booking confirms before payments commits its own record: wait for that too
    wait_for(lambda: (p := payment(payments, payment_id)) and p.events_count == 1, what="payment recorded once")


@pytest.mark.parametrize(
    ("amount_change", "currency", "code_change", "issue"),
    [
        (-100, "ARS", "", payments_pb2.PAYMENT_ISSUE_AMOUNT_MISMATCH),
        (0, "USD", "", payments_pb2.PAYMENT_ISSUE_CURRENCY_MISMATCH),
        (0, "ARS", "RES000000NOPE00", payments_pb2.PAYMENT_ISSUE_UNKNOWN_REFERENCE),
    ],
)
def test_payments_that_do_not_pay_for_the_stay_do_not_confirm(
    stack: Stack,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
    infra: Infra,
    amount_change: int,
    currency: str,
    code_change: str,
    issue: int,
) -> None:
    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id)
    payment_id = fake_payment(infra, code_change or held["code"], held["deposit"] + amount_change, currency=currency)
    notify(stack, payment_id)
    found = wait_for(lambda: payment(payments, payment_id), what="payment recorded")
    assert found.issue == issue and found.status == payments_pb2.PAYMENT_STATUS_APPROVED
    assert status_of(stack, held["code"]) == "pre_reserved"


async def _run_out(infra: Infra, code: str) -> None:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute(
            "UPDATE booking.reservations SET expires_at = now() - interval '1 minute' WHERE code = $1", code
        )
    finally:
        await conn.close()


async def test_paid_after_expiry(
    stack: Stack,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
    infra: Infra,
) -> None:
    cabin = make_cabin(booking)
    free, taken = reserve(stack, cabin.id, 40, 42), reserve(stack, cabin.id, 50, 52)
    for held in (free, taken):
        await _run_out(infra, held["code"])
    booking.ExpireDue(booking_pb2.ExpireDueRequest())
    winner = reserve(stack, cabin.id, 51, 53)  # takes the second one's dates meanwhile
    for held in (free, taken):
        await asyncio.to_thread(notify, stack, fake_payment(infra, held["code"], held["deposit"]))
    await asyncio.to_thread(wait_for, lambda: status_of(stack, free["code"]) == "confirmed", 15, "re-take")
    flagged = await asyncio.to_thread(
        wait_for,
        lambda: [
            p
            for p in payments.ListPayments(payments_pb2.ListPaymentsRequest(reservation_code=taken["code"])).payments
            if p.issue == payments_pb2.PAYMENT_ISSUE_PAID_BUT_UNAVAILABLE
        ],
        15,
        "paid_but_unavailable",
    )
    assert flagged
    assert status_of(stack, taken["code"]) == "expired"
    assert status_of(stack, winner["code"]) == "pre_reserved"


async def test_reconciliation_finds_a_lost_notification(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id)
    checkout(held)  # the guest opens the link: reconciliation watches the links made
    fake_payment(infra, held["code"], held["deposit"])  # paid, but the notification never arrives
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute(
            "UPDATE payments.payment_links SET expires_at = now() + interval '2 minutes' WHERE reservation_code = $1",
            held["code"],
        )
    finally:
        await conn.close()
    await asyncio.to_thread(wait_for, lambda: status_of(stack, held["code"]) == "confirmed", 15, "reconciliation")


def test_admin_sees_payments_and_reprocesses(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, infra: Infra
) -> None:
    from tests.stack import admin_token

    cabin = make_cabin(booking)
    held = reserve(stack, cabin.id)
    payment_id = fake_payment(infra, held["code"], held["deposit"])
    notified = notify(stack, payment_id).json()
    auth = {"Authorization": f"Bearer {admin_token()}"}
    url = f"{stack.gateway_url}/api/v1/admin/reservations/{held['code']}/payments"
    listed = wait_for(lambda: httpx.get(url, headers=auth).json(), what="payment listed")
    assert listed[0]["external_id"] == payment_id and listed[0]["status"] == "approved"
    again = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/payments/notifications/{notified['notification_id']}/reprocess", headers=auth
    )
    assert again.status_code == 202
    wait_for(lambda: httpx.get(url, headers=auth).json()[0]["events_count"] == 2, what="reprocessed")
    assert status_of(stack, held["code"]) == "confirmed"


def test_sandbox_checkout_served_by_the_gateway(infra: Infra, otlp: OtlpReceiver) -> None:
    env = stack_env(infra, otlp)
    del env["MERCADOPAGO_ACCESS_TOKEN"], env["MERCADOPAGO_API_BASE"]  # no credentials: the local sandbox
    own = start_stack(env, services=("booking", "payments"))
    try:
        with grpc.insecure_channel(own.addr("booking")) as channel:
            cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(channel))
        held = reserve(own, cabin.id)
        url = checkout(held)
        assert url.startswith(f"{own.gateway_url}/sandbox/mercadopago/checkout/")
        assert "Rechazar" in httpx.get(url).text
        assert "Pago aprobado" in httpx.post(f"{url}/pay", timeout=30).text
        wait_for(lambda: status_of(own, held["code"]) == "confirmed", what="sandbox confirmation")
    finally:
        stop_children(own.processes)


def test_production_refuses_to_start_without_secrets() -> None:
    from gateway.app import create_app
    from services.common.settings import Settings

    with pytest.raises(SystemExit, match="MERCADOPAGO_WEBHOOK_SECRET"):
        create_app(Settings(environment="production"))
