"""The Mercado Pago fake's refunds speak the real API: partial and full refunds, the remainder by
default, idempotency keys, refusals; and changes made outside our API (panel refunds, chargebacks)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from devtools.sandbox.mercadopago import create_app

AUTH = {"Authorization": "Bearer TEST-token"}


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app("http://127.0.0.1:1", None))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:1", headers=AUTH) as client:
        yield client


async def _paid(api: httpx.AsyncClient, amount: float = 30000.0) -> str:
    spec = {"status": "approved", "amount": amount, "external_reference": "RES1"}
    return str((await api.post("/_control/payments", json=spec)).json()["id"])


async def test_partial_then_the_rest(api: httpx.AsyncClient) -> None:
    payment = await _paid(api)
    first = await api.post(
        f"/v1/payments/{payment}/refunds", json={"amount": 10000.5}, headers={"X-Idempotency-Key": "a"}
    )
    assert first.status_code == 201 and first.json()["amount"] == 10000.5 and first.json()["status"] == "approved"
    seen = (await api.get(f"/v1/payments/{payment}")).json()
    assert (seen["status"], seen["status_detail"], seen["transaction_amount_refunded"]) == (
        "approved",
        "partially_refunded",
        10000.5,
    )
    rest = await api.post(f"/v1/payments/{payment}/refunds", headers={"X-Idempotency-Key": "b"})
    assert rest.status_code == 201 and rest.json()["amount"] == 19999.5
    seen = (await api.get(f"/v1/payments/{payment}")).json()
    assert (seen["status"], seen["transaction_amount_refunded"], len(seen["refunds"])) == ("refunded", 30000.0, 2)
    assert len((await api.get(f"/v1/payments/{payment}/refunds")).json()) == 2


async def test_a_retried_key_refunds_once(api: httpx.AsyncClient) -> None:
    payment = await _paid(api)
    replies = [
        await api.post(f"/v1/payments/{payment}/refunds", json={"amount": 5000}, headers={"X-Idempotency-Key": "k"})
        for _ in range(3)
    ]
    assert len({reply.json()["id"] for reply in replies}) == 1
    assert (await api.get(f"/v1/payments/{payment}")).json()["transaction_amount_refunded"] == 5000


async def test_what_cannot_be_refunded_is_400(api: httpx.AsyncClient) -> None:
    payment = await _paid(api)
    too_much = await api.post(f"/v1/payments/{payment}/refunds", json={"amount": 30000.01})
    assert too_much.status_code == 400 and too_much.json()["detail"]["message"] == "Invalid refund amount"
    assert (await api.post(f"/v1/payments/{payment}/refunds")).status_code == 201
    again = await api.post(f"/v1/payments/{payment}/refunds")
    assert again.status_code == 400 and again.json()["detail"]["message"] == "Payment not refundable"
    assert (await api.post("/v1/payments/1/refunds")).status_code == 404
    assert (await api.post(f"/v1/payments/{payment}/refunds", headers={"Authorization": ""})).status_code == 401


async def test_the_panel_and_chargebacks_change_a_payment_outside_our_api(api: httpx.AsyncClient) -> None:
    refunded = await _paid(api)
    await api.post(f"/_control/payments/{refunded}", json={"refund": None})
    assert (await api.get(f"/v1/payments/{refunded}")).json()["status"] == "refunded"
    disputed = await _paid(api)
    await api.post(f"/_control/payments/{disputed}", json={"status": "charged_back"})
    seen = (await api.get(f"/v1/payments/{disputed}")).json()
    assert (seen["status"], seen["status_detail"]) == ("charged_back", "settled")
