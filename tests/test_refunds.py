"""Refunds through the gateway with the session's Mercado Pago fake speaking the real wire format: a
guest's cancel gives back the policy's share, an owner's everything (Mercado Pago failing first),
cancelling again gives back nothing more, a refund made in Mercado Pago's panel is recognised and
not made again, and the owner's one tap gives back a duplicate payment once."""

import time
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2_grpc, payments_pb2, payments_pb2_grpc
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack
from tests.test_balance import admin, admin_view, payments_of
from tests.test_payments import checkout, fake_payment, notify, reserve, status_of, wait_for


@pytest.fixture(scope="module")
def payments(stack: Stack) -> Iterator[payments_pb2_grpc.PaymentsServiceStub]:
    with grpc.insecure_channel(stack.addr("payments")) as channel:
        yield payments_pb2_grpc.PaymentsServiceStub(channel)


def paid(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, days_ahead: int) -> dict[str, Any]:
    """A reservation `days_ahead` days from now whose deposit was paid at its checkout page, with its payment's id."""
    held = reserve(stack, make_cabin(booking).id, start=days_ahead, end=days_ahead + 2)
    assert "Pago aprobado" in httpx.post(f"{checkout(held)}/pay").text
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", what="confirmation")
    [payment] = payments_of(stack, held["code"])
    return held | {"payment": payment["external_id"]}


def refunds_at_mercadopago(infra: Infra, payment_id: str) -> list[dict[str, Any]]:
    """The refund requests the fake took for the payment (a call it failed on purpose is not one)."""
    made = httpx.get(f"{infra.mercadopago_url}/_control/requests").json()
    return [r for r in made if r["path"] == f"/v1/payments/{payment_id}/refunds"]


def at_mercadopago(infra: Infra, payment_id: str) -> dict[str, Any]:
    seen: dict[str, Any] = httpx.get(
        f"{infra.mercadopago_url}/v1/payments/{payment_id}", headers={"Authorization": "Bearer TEST"}
    ).json()
    return seen


def refunds_of(stack: Stack, code: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = admin_view(stack, code).get("refunds", [])
    return listed


def cancel(stack: Stack, held: dict[str, Any], **body: Any) -> httpx.Response:
    headers = admin() if body else {"X-Manage-Token": held["manage_token"]}
    return httpx.post(
        f"{stack.gateway_url}/api/v1/reservations/{held['code']}/cancel", headers=headers, json=body or None
    )


def approved(stack: Stack, code: str, count: int = 1) -> list[dict[str, Any]]:
    given: list[dict[str, Any]] = wait_for(
        lambda: len(r := [x for x in refunds_of(stack, code) if x["status"] == "approved"]) == count and r,
        what=f"{count} refunds approved",
    )
    return given


def test_a_guest_cancel_gives_back_the_policys_share_once(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = paid(stack, booking, days_ahead=10)  # 7 to 14 days before: half of it (a day either side)
    assert cancel(stack, held).status_code == 200
    [refund] = approved(stack, held["code"])
    half = held["deposit"] // 2
    assert (refund["amount"], refund["actor"], refund["payment_external_id"]) == (half, "guest", held["payment"])
    [made] = refunds_at_mercadopago(infra, held["payment"])
    assert made["body"] == {"amount": half / 100} and made["key"]
    seen = at_mercadopago(infra, held["payment"])
    assert (seen["status"], seen["status_detail"], seen["transaction_amount_refunded"]) == (
        "approved",
        "partially_refunded",
        half / 100,
    )

    assert cancel(stack, held).status_code == 200  # again, as the guest
    assert cancel(stack, held, refund="full", reason="por las dudas").status_code == 200  # and as the owner
    time.sleep(1.5)
    assert len(refunds_at_mercadopago(infra, held["payment"])) == 1
    view = admin_view(stack, held["code"])
    assert (view["status"], view["refunded"], len(view["refunds"])) == ("cancelled", half, 1)


def test_an_owner_gives_back_everything_though_mercado_pago_fails_first(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = paid(stack, booking, days_ahead=3)  # the policy would give back nothing
    state = httpx.post(f"{infra.mercadopago_url}/_control/state", json={"failures": [500, 500]})
    assert state.json()["failures"] == [500, 500]
    cancelled = cancel(stack, held, refund="full", reason="Se inundó la cabaña")
    assert cancelled.status_code == 200, cancelled.text
    [refund] = approved(stack, held["code"])
    assert (refund["amount"], refund["reason"]) == (held["deposit"], "Se inundó la cabaña")
    assert refund["actor"].startswith("admin:")
    made = refunds_at_mercadopago(infra, held["payment"])
    assert len(made) == 1 and made[0]["body"] == {}  # all of it: no amount, as Mercado Pago takes it
    seen = at_mercadopago(infra, held["payment"])
    assert (seen["status"], seen["transaction_amount_refunded"]) == ("refunded", held["deposit"] / 100)
    [payment] = payments_of(stack, held["code"])
    assert (payment["status"], payment["issue"]) == ("refunded", "none")  # ours: no issue


def test_a_refund_made_in_the_panel_is_recognised_and_not_made_again(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = paid(stack, booking, days_ahead=40)
    panel = httpx.post(
        f"{infra.mercadopago_url}/_control/payments/{held['payment']}",
        json={"refund": 100.0, "notify_url": f"{stack.gateway_url}/api/v1/webhooks/mercadopago"},
    )
    assert panel.status_code == 200, panel.text
    wait_for(lambda: payments_of(stack, held["code"])[0]["issue"] == "refunded_outside", what="the flag")
    [outside] = approved(stack, held["code"])
    assert (outside["amount"], outside["actor"], outside["reason"]) == (100_00, "mercadopago", "hecho en Mercado Pago")
    assert notify(stack, held["payment"]).status_code == 200  # told again: nothing new
    time.sleep(1)
    assert len(refunds_of(stack, held["code"])) == 1

    assert cancel(stack, held).status_code == 200  # 40 days ahead: all that is left goes back
    rest, _ = approved(stack, held["code"], count=2)
    assert rest["amount"] == held["deposit"] - 100_00
    assert [r["body"] for r in refunds_at_mercadopago(infra, held["payment"])] == [
        {"amount": (held["deposit"] - 100_00) / 100}
    ]
    assert at_mercadopago(infra, held["payment"])["status"] == "refunded"
    assert admin_view(stack, held["code"])["refunded"] == held["deposit"]


def test_the_owner_gives_back_a_duplicate_payment_with_one_tap(
    stack: Stack,
    infra: Infra,
    booking: booking_pb2_grpc.BookingServiceStub,
    payments: payments_pb2_grpc.PaymentsServiceStub,
) -> None:
    held = paid(stack, booking, days_ahead=50)
    twice = fake_payment(infra, held["code"], held["total"])  # the whole stay, on top of the deposit
    assert notify(stack, twice).status_code == 200
    wait_for(lambda: any(p["issue"] == "duplicate_payment" for p in payments_of(stack, held["code"])), what="dup")
    assert admin_view(stack, held["code"])["overpaid"] == held["deposit"]

    ask = payments_pb2.RefundPaymentRequest(
        reservation_code=held["code"], actor="user:1", reason="Pagó dos veces", idempotency_key="tap-1"
    )
    first, again = payments.RefundPayment(ask), payments.RefundPayment(ask)  # a double tap
    assert first.id == again.id and first.payment_external_id == twice
    assert (first.amount.amount_minor, first.status) == (held["deposit"], payments_pb2.REFUND_STATUS_REQUESTED)
    approved(stack, held["code"])
    time.sleep(1)
    assert [r["body"] for r in refunds_at_mercadopago(infra, twice)] == [{"amount": held["deposit"] / 100}]
    assert refunds_at_mercadopago(infra, held["payment"]) == []  # the deposit stays
    assert admin_view(stack, held["code"])["overpaid"] == 0

    with pytest.raises(grpc.RpcError) as nothing:
        payments.RefundPayment(payments_pb2.RefundPaymentRequest(reservation_code=held["code"], actor="user:1"))
    assert nothing.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    too_much = payments_pb2.RefundPaymentRequest(reservation_code=held["code"], actor="user:1", idempotency_key="x")
    too_much.amount.amount_minor = held["total"] + 1
    with pytest.raises(grpc.RpcError) as refused:
        payments.RefundPayment(too_much)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_the_admin_api_gives_back_cash_paid_twice_and_records_it_given_once(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = paid(stack, booking, days_ahead=60)
    url = f"{stack.gateway_url}/api/v1/admin/reservations/{held['code']}"
    cash = httpx.post(f"{url}/payments", headers=admin(), json={"amount_minor": held["total"], "method": "cash"})
    assert cash.status_code == 201, cash.text  # the whole stay in cash, on top of the deposit paid online
    assert admin_view(stack, held["code"])["overpaid"] == held["deposit"]

    ask = {**admin(), "Idempotency-Key": "api-refund-1"}
    first = httpx.post(f"{url}/refunds", headers=ask, json={"reason": "Pagó dos veces"})
    again = httpx.post(f"{url}/refunds", headers=ask, json={"reason": "Pagó dos veces"})
    assert first.status_code == again.status_code == 201, first.text
    refund = first.json()
    assert again.json()["id"] == refund["id"]
    assert (refund["payment_external_id"], refund["amount"], refund["status"]) == (
        cash.json()["external_id"],  # the newest payment gives it back: by hand, it was cash
        held["deposit"],
        "by_hand",
    )
    nothing = httpx.post(f"{url}/refunds", headers=admin(), json={})  # the excess is already on its way
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "nothing_to_refund"
    assert admin_view(stack, held["code"])["refunded"] == 0

    settled = httpx.post(f"{url}/refunds/{refund['id']}/settle", headers=admin())
    assert settled.status_code == 200, settled.text
    assert (settled.json()["status"], settled.json()["settled_by"].startswith("admin:")) == ("approved", True)
    assert httpx.post(f"{url}/refunds/{refund['id']}/settle", headers=admin()).json() == settled.json()
    view = admin_view(stack, held["code"])
    assert (view["refunded"], view["overpaid"]) == (held["deposit"], 0)
    assert httpx.post(f"{url}/refunds/999999999/settle", headers=admin()).status_code == 404
    assert httpx.post(f"{url}/refunds/{refund['id']}/settle").status_code == 401
    bad = httpx.post(f"{url}/refunds", headers=admin(), json={"amount_minor": 0})
    assert bad.status_code == 422
