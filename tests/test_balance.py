"""Deposit, then balance, through the gateway with the session's Mercado Pago fake: the reservation's
view shows what was paid and what is still due, the balance is paid at its own link or in cash, a
payment beyond the total is a duplicate shown as overpaid, and a chargeback reopens what is due."""

from typing import Any

import httpx

from cabanas.v1 import booking_pb2_grpc
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack, admin_token
from tests.test_payments import checkout, fake_payment, notify, reserve, status_of, wait_for


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token()}"}


def guest_view(stack: Stack, held: dict[str, Any]) -> dict[str, Any]:
    reply = httpx.get(
        f"{stack.gateway_url}/api/v1/reservations/{held['code']}", headers={"X-Manage-Token": held["manage_token"]}
    )
    assert reply.status_code == 200, reply.text
    seen: dict[str, Any] = reply.json()
    return seen


def admin_view(stack: Stack, code: str) -> dict[str, Any]:
    seen: dict[str, Any] = httpx.get(f"{stack.gateway_url}/api/v1/reservations/{code}", headers=admin()).json()
    return seen


def payments_of(stack: Stack, code: str) -> list[dict[str, Any]]:
    url = f"{stack.gateway_url}/api/v1/admin/reservations/{code}/payments"
    listed: list[dict[str, Any]] = httpx.get(url, headers=admin()).json()
    return listed


def deposit_paid(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, **cabin: Any) -> dict[str, Any]:
    """A reservation whose deposit was paid at its checkout page, as its guest sees it then."""
    held = reserve(stack, make_cabin(booking, **cabin).id)
    page = httpx.get(url := checkout(held))
    assert "Política de cancelación: Si cancelás con 15 días o más" in page.text  # seen before paying
    assert "Pago aprobado" in httpx.post(f"{url}/pay").text
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", what="confirmation")
    return held | {
        "checkout": url,
        "seen": wait_for(lambda: (v := guest_view(stack, held)).get("paid") and v, what="the deposit"),
    }


def test_the_balance_paid_online_then_a_third_payment_is_a_duplicate(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = deposit_paid(stack, booking)
    seen, code = held["seen"], held["code"]
    assert held["deposit"] == held["total"] * 30 // 100
    assert (seen["paid"], seen["refunded"], seen["overpaid"]) == (held["deposit"], 0, 0)
    assert seen["balance_due"] == held["total"] - held["deposit"]  # the 70 % left
    quote = seen["if_cancelled_now"]  # 40 days ahead (a day either side: today here vs at the cabin)
    assert abs(quote["days_before"] - 40) <= 1 and (quote["percent"], quote["refund"]) == (100, held["deposit"])
    link = seen["balance_payment_url"]
    assert link.startswith(f"{infra.mercadopago_url}/checkout/") and link != held["checkout"]
    assert guest_view(stack, held)["balance_payment_url"] == link  # made once
    assert "Saldo" in httpx.get(link).text
    assert "Pago aprobado" in httpx.post(f"{link}/pay").text
    paid = wait_for(lambda: (v := guest_view(stack, held))["balance_due"] == 0 and v, what="the balance paid")
    assert paid["paid"] == held["total"] and "balance_payment_url" not in paid
    assert [(p["kind"], p["issue"]) for p in payments_of(stack, code)] == [("balance", "none"), ("deposit", "none")]

    third = fake_payment(infra, code, held["deposit"])
    assert notify(stack, third).status_code == 200
    wait_for(lambda: any(p["issue"] == "duplicate_payment" for p in payments_of(stack, code)), what="duplicate")
    seen = admin_view(stack, code)
    assert (seen["balance_due"], seen["overpaid"], seen["refunds"]) == (0, held["deposit"], [])
    assert status_of(stack, code) == "confirmed"


def test_the_rest_paid_in_cash(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    held = deposit_paid(stack, booking)
    due = held["seen"]["balance_due"]
    recorded = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/reservations/{held['code']}/payments",
        json={"amount_minor": due, "method": "cash"},
        headers=admin(),
    )
    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["kind"], recorded.json()["issue"]) == ("balance", "none")
    seen = guest_view(stack, held)
    assert (seen["paid"], seen["balance_due"]) == (held["total"], 0) and "balance_payment_url" not in seen


def test_a_balance_paid_on_arrival_has_no_link(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    seen = deposit_paid(stack, booking, balance_on_arrival=True)["seen"]
    assert seen["balance_due"] > 0 and "balance_payment_url" not in seen


def test_a_chargeback_flags_the_reservation_and_reopens_what_is_due(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = deposit_paid(stack, booking)
    [deposit] = payments_of(stack, held["code"])
    changed = httpx.post(
        f"{infra.mercadopago_url}/_control/payments/{deposit['external_id']}",
        json={"status": "charged_back", "notify_url": f"{stack.gateway_url}/api/v1/webhooks/mercadopago"},
    )
    assert changed.status_code == 200, changed.text
    flagged = wait_for(
        lambda: (p := payments_of(stack, held["code"])[0])["issue"] == "charged_back" and p, what="the chargeback"
    )
    assert flagged["status"] == "charged_back"
    seen = admin_view(stack, held["code"])
    assert (seen["paid"], seen["balance_due"]) == (0, held["total"])  # not kept as paid
