"""Money through the gateway, booking's side (issue 17): a cabin's cancellation rules over the admin
API, the policy a reservation shows, and what a cancel refunds: the policy for a guest whatever the
body asks, an owner's choice with a reason, recorded in the history."""

from typing import Any

import httpx
import pytest

from cabanas.v1 import booking_pb2_grpc
from services.booking.tests.helpers import day, make_cabin
from tests.stack import Stack, admin_token

AUTH = {"Authorization": f"Bearer {admin_token()}"}
OWNER = "admin:owner@example.com"  # tests.stack.admin_token's subject
OWN = [{"days_before": 3, "percent": 0}, {"days_before": 30, "percent": 100}]
OWN_STORED = [{"days_before": 30, "percent": 100}, {"days_before": 3, "percent": 0}]
OWN_SENTENCE = (
    "Si cancelás con 30 días o más de anticipación te devolvemos el 100 % de lo que pagaste;"
    " con menos de 30 días, nada."
)
DEFAULT_STORED = [
    {"days_before": 15, "percent": 100},
    {"days_before": 7, "percent": 50},
    {"days_before": 0, "percent": 0},
]


def _api(stack: Stack, path: str) -> str:
    return f"{stack.gateway_url}/api/v1{path}"


def _patch(stack: Stack, cabin_id: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.patch(_api(stack, f"/admin/accommodations/{cabin_id}"), json=body, headers=AUTH)


def _reserve(stack: Stack, cabin_id: int, start: int = 40, end: int = 42) -> dict[str, Any]:
    body = {
        "accommodation_id": cabin_id,
        "check_in": str(day(start)),
        "check_out": str(day(end)),
        "guests": 2,
        "guest_name": "Ana Pérez",
        "guest_phone": "+5491155555555",
    }
    reply = httpx.post(_api(stack, "/reservations"), json=body)
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


def _booked(stack: Stack, cabin_id: int) -> str:
    """A phone booking (confirmed) taken over the admin API: its code."""
    body = {
        "accommodation_id": cabin_id,
        "check_in": str(day(50)),
        "check_out": str(day(53)),
        "guests": 2,
        "guest_name": "José Pérez",
        "guest_phone": "+5492944123456",
    }
    reply = httpx.post(_api(stack, "/admin/reservations"), json=body, headers=AUTH)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["code"])


def _cancel(stack: Stack, code: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(_api(stack, f"/reservations/{code}/cancel"), json=body, headers=headers)


def _last_history(stack: Stack, code: str) -> dict[str, Any]:
    reply = httpx.get(_api(stack, f"/admin/reservations/{code}/history"), headers=AUTH)
    assert reply.status_code == 200, reply.text
    entry: dict[str, Any] = reply.json()[-1]
    return entry


def _status(stack: Stack, code: str) -> str:
    return str(httpx.get(_api(stack, f"/reservations/{code}")).json()["status"])


def test_the_owner_sets_a_cabins_rules_over_the_admin_api(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    plain = httpx.get(_api(stack, f"/accommodations/{cabin.id}")).json()
    assert (plain["cancellation_rules"], plain["balance_on_arrival"]) == ([], False)
    assert plain["cancellation_policy"].startswith("Si cancelás con 15 días o más de anticipación")  # the default

    changed = _patch(stack, cabin.id, {"cancellation_rules": OWN, "balance_on_arrival": True})
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in ("cancellation_rules", "cancellation_policy", "balance_on_arrival")} == {
        "cancellation_rules": OWN_STORED,
        "cancellation_policy": OWN_SENTENCE,
        "balance_on_arrival": True,
    }
    assert _patch(stack, cabin.id, {"name": "Otro nombre"}).json()["cancellation_rules"] == OWN_STORED  # kept

    more_for_less = [{"days_before": 20, "percent": 50}, {"days_before": 5, "percent": 80}]
    refused = _patch(stack, cabin.id, {"cancellation_rules": more_for_less, "balance_on_arrival": False})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_policy")
    assert "más cerca de la fecha" in refused.json()["error"]["message"]
    out_of_range = _patch(stack, cabin.id, {"cancellation_rules": [{"days_before": 400, "percent": 10}]})
    assert (out_of_range.status_code, out_of_range.json()["error"]["code"]) == (422, "validation_error")
    kept = httpx.get(_api(stack, f"/accommodations/{cabin.id}")).json()
    assert (kept["cancellation_rules"], kept["balance_on_arrival"]) == (OWN_STORED, True)  # nothing written

    back = _patch(stack, cabin.id, {"cancellation_rules": []})
    assert (back.json()["cancellation_rules"], back.json()["cancellation_policy"]) == ([], plain["cancellation_policy"])


def test_a_reservation_shows_the_policy_it_was_booked_under(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    assert _patch(stack, cabin.id, {"cancellation_rules": OWN}).status_code == 200
    created = _reserve(stack, cabin.id)
    assert (created["cancellation_rules"], created["cancellation_policy"]) == (OWN_STORED, OWN_SENTENCE)

    assert _patch(stack, cabin.id, {"cancellation_rules": []}).status_code == 200  # a later change...
    public = httpx.get(_api(stack, f"/reservations/{created['code']}")).json()  # no token: no secret either
    assert (public["cancellation_rules"], public["cancellation_policy"]) == (OWN_STORED, OWN_SENTENCE)
    assert "guest_name" not in public and "refund_mode" not in public
    assert _reserve(stack, cabin.id, 44, 46)["cancellation_rules"] == DEFAULT_STORED  # ... counts for new ones


def test_a_guest_cancel_applies_the_policy_whatever_the_body_asks(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    created = _reserve(stack, make_cabin(booking).id)
    token = {"X-Manage-Token": created["manage_token"]}
    reply = _cancel(stack, created["code"], token, {"refund": "full", "reason": "Quiero todo"})
    assert reply.status_code == 200, reply.text
    assert (reply.json()["status"], reply.json()["refund_mode"]) == ("cancelled", "policy")
    assert "refund_amount" not in reply.json()
    entry = _last_history(stack, created["code"])
    assert (entry["actor"], entry["action"], entry["data"]) == ("guest", "cancelled", {"refund_mode": "policy"})


def test_an_owner_cancel_refunds_nothing_with_a_reason_recorded(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, viewer: dict[str, str]
) -> None:
    code = _booked(stack, make_cabin(booking).id)
    denied = _cancel(stack, code, viewer, {"refund": "none", "reason": "No vino"})
    assert denied.status_code == 403
    reply = _cancel(stack, code, AUTH, {"refund": "none", "reason": "  No vino  "})
    assert reply.status_code == 200, reply.text
    assert (reply.json()["status"], reply.json()["refund_mode"]) == ("cancelled", "none")
    entry = _last_history(stack, code)
    assert (entry["actor"], entry["action"], entry["text"], entry["data"]) == (
        OWNER,
        "cancelled",
        "No vino",
        {"refund_mode": "none"},
    )
    again = _cancel(stack, code, AUTH, {"refund": "full", "reason": "Me arrepentí"})  # once cancelled, it stays so
    assert (again.status_code, again.json()["refund_mode"]) == (200, "none")
    assert _last_history(stack, code) == entry


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"refund": "amount", "reason": "Acordado"}, id="an amount mode without an amount"),
        pytest.param({"refund": "full", "amount_minor": 100, "reason": "Acordado"}, id="an amount with another mode"),
        pytest.param({"refund": "full"}, id="all without a reason"),
        pytest.param({"refund": "none", "reason": "   "}, id="nothing with a blank reason"),
    ],
)
def test_an_owner_refund_that_cannot_be_is_422_and_cancels_nothing(
    stack: Stack, booking: booking_pb2_grpc.BookingServiceStub, body: dict[str, Any]
) -> None:
    code = _booked(stack, make_cabin(booking).id)
    reply = _cancel(stack, code, AUTH, body)
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_refund"), reply.text
    assert _status(stack, code) == "confirmed"


def test_an_owner_cancel_with_an_amount_or_no_body(stack: Stack, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = make_cabin(booking)
    code = _booked(stack, cabin.id)
    reply = _cancel(stack, code, AUTH, {"refund": "amount", "amount_minor": 20_000_00, "reason": "Acordado"})
    assert (reply.json()["refund_mode"], reply.json()["refund_amount"]) == ("amount", 20_000_00), reply.text
    assert _last_history(stack, code)["data"] == {"refund_mode": "amount", "refund_amount": "2000000"}

    held = _reserve(stack, cabin.id)["code"]
    plain = httpx.post(_api(stack, f"/reservations/{held}/cancel"), headers=AUTH)  # callers from before: no body
    assert (plain.status_code, plain.json()["refund_mode"]) == (200, "policy"), plain.text
    assert _last_history(stack, held)["text"] == "requested over the API"
