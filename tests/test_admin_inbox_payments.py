"""The owner's inbox and payments received by hand through the admin API, over the running stack:
a guest who asks for a person waits until the owner answers (the text reaching the Graph fake),
the bot keeps quiet after that; a hold paid in cash is confirmed, and told to the guest once; a
viewer's API token may do none of it."""

import time
import uuid
from datetime import date, timedelta
from typing import Any

import grpc
import httpx

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc, booking_pb2_grpc
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack, admin_token
from tests.test_messaging import body_of, phone, post, say, wait_for
from testsupport.whatsapp import envelope, text

AUTH = {"Authorization": f"Bearer {admin_token()}"}
OWNER = "admin:owner@example.com"  # the actor of tests.stack's admin token


def admin(stack: Stack, path: str) -> str:
    return f"{stack.gateway_url}/api/v1/admin{path}"


def waiting(stack: Stack) -> dict[str, dict[str, Any]]:
    listed = httpx.get(admin(stack, "/conversations"), params={"waiting": "true"}, headers=AUTH)
    assert listed.status_code == 200, listed.text
    return {c["phone"]: c for c in listed.json()["items"]}


def test_a_guest_waits_for_a_person_until_the_owner_answers(stack: Stack, infra: Infra) -> None:
    guest = phone()
    assert "persona" in body_of(say(stack, infra, text(guest, "quiero hablar con una persona"), 0))
    listed = waiting(stack)[guest]
    assert listed["handoff"] and listed["waiting_since"] and listed["window_open"]
    assert listed["last_text"] and "messages" not in listed

    sent = httpx.post(
        admin(stack, f"/conversations/+{guest}/messages"),
        json={"text": " Hola Ana, soy Marta. ¿Qué fechas buscás? "},
        headers=AUTH | {"Idempotency-Key": f"reply-{guest}"},
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["template"] is False and sent.json()["message"]["author"] == OWNER
    arrived = wait_for(lambda: len(infra.graph.to(guest)) >= 2 and infra.graph.to(guest), what="the owner's reply")
    assert body_of(arrived[1]) == "Hola Ana, soy Marta. ¿Qué fechas buscás?"
    again = httpx.post(  # a retry sends nothing more
        admin(stack, f"/conversations/{guest}/messages"),
        json={"text": "Hola Ana, soy Marta. ¿Qué fechas buscás?"},
        headers=AUTH | {"Idempotency-Key": f"reply-{guest}"},
    )
    assert again.status_code == 202 and again.json()["message"]["at"] == sent.json()["message"]["at"]
    assert guest not in waiting(stack)

    assert post(stack, envelope(text(guest, "del 10 al 12 de marzo"))).status_code == 200
    wait_for(lambda: guest in waiting(stack), what="the guest waiting again")
    time.sleep(1)
    assert len(infra.graph.to(guest)) == 2  # a person answered: the bot does not talk over them
    shown = httpx.get(admin(stack, f"/conversations/{guest}"), headers=AUTH)
    assert shown.status_code == 200, shown.text
    assert [(m["direction"], m["author"]) for m in shown.json()["messages"]] == [
        ("inbound", ""),
        ("outbound", ""),
        ("outbound", OWNER),
        ("inbound", ""),
    ]

    back = httpx.post(admin(stack, f"/conversations/{guest}/handoff"), json={"active": False}, headers=AUTH)
    assert back.json() == {"phone": guest, "handoff": False}
    assert guest not in waiting(stack)


def test_replies_to_nobody_and_empty_ones_are_refused(stack: Stack) -> None:
    stranger = phone()
    nobody = httpx.post(admin(stack, f"/conversations/{stranger}/messages"), json={"text": "hola"}, headers=AUTH)
    assert nobody.status_code == 404 and nobody.json()["error"]["code"] == "not_found"
    assert httpx.get(admin(stack, f"/conversations/{stranger}"), headers=AUTH).status_code == 404
    empty = httpx.post(admin(stack, f"/conversations/{stranger}/messages"), json={"text": "   "}, headers=AUTH)
    assert empty.status_code == 422
    bad = httpx.get(admin(stack, "/conversations/11-5555-5555"), headers=AUTH)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_phone"


def _hold(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, guest: str) -> Any:
    cabin = make_cabin(booking)
    check_in = date.today() + timedelta(days=90)
    created = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin.id,
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(),
            "guests": 2,
            "guest_name": "Ana Pérez",
            "guest_phone": f"+{guest}",
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def _confirmations(stack: Stack, guest: str) -> int:
    outbox = httpx.get(admin(stack, "/whatsapp/outbox"), params={"phone": guest}, headers=AUTH).json()
    return sum("confirmada" in m["text"] for m in outbox)


def test_a_hold_paid_in_cash_is_confirmed_and_told_once(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    guest = phone()
    held = _hold(stack, booking, guest)
    url = admin(stack, f"/reservations/{held['code']}/payments")
    body = {"amount_minor": held["deposit"], "method": "cash", "note": "Seña en mano"}
    paid = httpx.post(url, json=body, headers=AUTH | {"Idempotency-Key": "cash-1"})
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert (payment["status"], payment["method"], payment["recorded_by"], payment["note"]) == (
        "approved",
        "cash",
        OWNER,
        "Seña en mano",
    )
    assert (payment["amount"], payment["issue"]) == (held["deposit"], "none")
    shown = httpx.get(f"{stack.gateway_url}/api/v1/reservations/{held['code']}", headers=AUTH).json()
    assert shown["status"] == "confirmed"
    retried = httpx.post(url, json=body, headers=AUTH | {"Idempotency-Key": "cash-1"})
    assert retried.status_code == 201 and retried.json()["external_id"] == payment["external_id"]
    wait_for(lambda: _confirmations(stack, guest) == 1, what="the confirmation to the guest")

    balance = {"amount_minor": held["total"] - held["deposit"], "method": "transfer"}
    assert httpx.post(url, json=balance, headers=AUTH).status_code == 201
    listed = httpx.get(url, headers=AUTH).json()
    assert sorted(p["method"] for p in listed) == ["cash", "transfer"]
    time.sleep(1.5)  # long enough for a second confirmation to show, were there one
    assert _confirmations(stack, guest) == 1


def test_what_takes_no_payment_is_refused_with_its_reason(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    held = _hold(stack, booking, phone())
    url = admin(stack, f"/reservations/{held['code']}/payments")
    for bad in ({"amount_minor": 0, "method": "cash"}, {"amount_minor": 100, "method": "mercado_pago"}):
        assert httpx.post(url, json=bad, headers=AUTH).status_code == 422, bad
    cancelled = httpx.post(f"{stack.gateway_url}/api/v1/reservations/{held['code']}/cancel", headers=AUTH)
    assert cancelled.status_code == 200, cancelled.text
    refused = httpx.post(url, json={"amount_minor": 100, "method": "cash"}, headers=AUTH)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "reservation_cancelled"
    assert "cancelada" in refused.json()["error"]["message"]
    assert httpx.get(url, headers=AUTH).json() == []
    unknown = httpx.post(
        admin(stack, "/reservations/RESNOPE/payments"), json={"amount_minor": 1, "method": "cash"}, headers=AUTH
    )
    assert unknown.status_code == 404


def test_a_viewer_token_may_not_read_nor_reply_nor_record(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    with grpc.insecure_channel(stack.addr("accounts")) as channel:
        accounts = accounts_pb2_grpc.AccountsServiceStub(channel)
        user = accounts.CreateUser(
            accounts_pb2.CreateUserRequest(
                email=f"viewer-{uuid.uuid4().hex[:10]}@example.com",
                name="Limpieza",
                role=accounts_pb2.ROLE_VIEWER,
                password="tortuga-azul-del-lago",
            )
        )
        secret = accounts.CreateApiToken(accounts_pb2.CreateApiTokenRequest(user_id=user.id, name="planilla")).secret
    viewer = {"Authorization": f"Bearer {secret}"}
    guest = phone()
    say(stack, infra, text(guest, "quiero hablar con una persona"), 0)
    held = _hold(stack, booking, phone())
    for method, path, body in (
        ("GET", "/conversations", None),
        ("GET", f"/conversations/{guest}", None),
        ("POST", f"/conversations/{guest}/messages", {"text": "hola"}),
        ("POST", f"/reservations/{held['code']}/payments", {"amount_minor": held["deposit"], "method": "cash"}),
    ):
        refused = httpx.request(method, admin(stack, path), json=body, headers=viewer)
        assert refused.status_code == 403, (path, refused.text)
    assert len(infra.graph.to(guest)) == 1  # nothing went
    assert httpx.get(admin(stack, f"/reservations/{held['code']}/payments"), headers=AUTH).json() == []
