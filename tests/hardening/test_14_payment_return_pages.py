"""14. Small ones: the Mercado Pago return URLs (`/pago/ok`, …) do not exist.

A guest who paid landed on the gateway's 404. Now `/pago/ok`, `/pago/pendiente` and `/pago/error`
(exactly the back_urls the payment links carry) answer a short Spanish page, without scripts,
with the reservation's state as booking has it, found by `external_reference`; never the guest's
data. An unknown code gets a neutral 404 page that does not repeat what it was given."""

from typing import Any
from urllib.parse import urlsplit

import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2_grpc
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack
from tests.test_payments import checkout, fake_payment, notify, reserve, status_of, wait_for

# What Mercado Pago appends to a back_url, besides the reservation's code.
RETURN_QUERY = {"collection_status": "approved", "payment_type": "credit_card", "site_id": "MLA"}


@pytest.fixture(scope="module")
def held(stack: Stack) -> dict[str, Any]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        return reserve(stack, make_cabin(booking_pb2_grpc.BookingServiceStub(channel)).id)


@pytest.fixture(scope="module")
def back_urls(infra: Infra, held: dict[str, Any]) -> dict[str, str]:
    """The back_urls of the hold's payment link, as Mercado Pago got them (once the guest opened it)."""
    checkout(held)
    preferences = httpx.get(f"{infra.mercadopago_url}/_control/preferences").json().values()
    return next(p["back_urls"] for p in preferences if p["external_reference"] == held["code"])


def page(stack: Stack, url: str, code: str) -> httpx.Response:
    path = urlsplit(url).path
    return httpx.get(f"{stack.gateway_url}{path}", params={"external_reference": code, **RETURN_QUERY})


def assert_plain_page(reply: httpx.Response, held: dict[str, Any]) -> str:
    assert reply.headers["content-type"].startswith("text/html")
    text = reply.text
    assert '<html lang="es-AR">' in text and 'name="viewport"' in text and "<script" not in text
    assert held["guest_name"] not in text and "Ana" not in text and held["guest_phone"][-8:] not in text
    return text


def test_the_links_send_guests_back_to_the_three_pages(stack: Stack, back_urls: dict[str, str]) -> None:
    assert {k: urlsplit(v).path for k, v in back_urls.items()} == {
        "success": "/pago/ok",
        "pending": "/pago/pendiente",
        "failure": "/pago/error",
    }
    assert all(v.startswith(stack.env["PUBLIC_BASE_URL"]) for v in back_urls.values())


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        ("success", "¡Gracias por tu pago!"),
        ("pending", "Tu pago está pendiente"),
        ("failure", "El pago no se completó"),
    ],
)
def test_each_page_says_what_happened_and_the_reservation_state(
    stack: Stack, held: dict[str, Any], back_urls: dict[str, str], kind: str, heading: str
) -> None:
    reply = page(stack, back_urls[kind], held["code"])
    assert reply.status_code == 200  # was 404
    text = assert_plain_page(reply, held)
    assert f"<h1>{heading}</h1>" in text
    assert f"Reserva {held['code']}: Reservada, esperando la confirmación del pago." in text


def test_once_paid_the_page_says_confirmed(
    stack: Stack, infra: Infra, held: dict[str, Any], back_urls: dict[str, str]
) -> None:
    assert notify(stack, fake_payment(infra, held["code"], held["deposit"])).status_code == 200
    wait_for(lambda: status_of(stack, held["code"]) == "confirmed", what="confirmation")
    reply = page(stack, back_urls["success"], held["code"])
    assert reply.status_code == 200
    assert f"Reserva {held['code']}: Confirmada." in assert_plain_page(reply, held)


@pytest.mark.parametrize("code", ["RES000000AAAAAA", "", "<script>alert(1)</script>", "X" * 500])
def test_an_unknown_code_gets_a_neutral_page(stack: Stack, held: dict[str, Any], code: str) -> None:
    reply = page(stack, "/pago/ok", code)
    assert reply.status_code == 404
    text = assert_plain_page(reply, held)
    assert "No encontramos la reserva de este pago." in text
    assert "alert" not in text and "XXXX" not in text and "RES000000" not in text
