"""Checkout links: one per reservation, only for a held stay, over a real Postgres with booking
as an in-memory port and Mercado Pago as a local fake."""

import asyncpg
import pytest

from services.common.errors import DomainError, Kind
from services.payments.links import Links, preference
from services.payments.mercadopago import MercadoPago
from services.payments.tests.fakes import FakeBooking, FakeMercadoPago

PUBLIC_URL = "https://cabanas.example"


@pytest.fixture
def links(pool: asyncpg.Pool, mp: MercadoPago, booking: FakeBooking) -> Links:
    return Links(pool, mp, booking, PUBLIC_URL, sandbox=False)


def test_the_preference_is_for_the_deposit_of_the_held_stay() -> None:
    held = FakeBooking().hold(deposit_minor=30_000_50)
    body = preference(held, PUBLIC_URL, "ana@example.com")
    [item] = body["items"]
    assert item["title"] == "Seña Cabaña del Lago 3 ene → 5 ene (2 noches)"
    assert (item["unit_price"], item["currency_id"]) == (30_000.5, "ARS")
    assert body["external_reference"] == held.code and body["payer"] == {"email": "ana@example.com"}
    assert body["notification_url"] == f"{PUBLIC_URL}/api/v1/webhooks/mercadopago?source_news=webhooks"
    assert body["expiration_date_to"] == held.expires_at.isoformat(timespec="milliseconds")
    assert "payer" not in preference(held, PUBLIC_URL, "")


async def test_a_held_stay_gets_one_link(links: Links, api: FakeMercadoPago, booking: FakeBooking) -> None:
    held = booking.hold()
    link = await links.create(held.code, "")
    assert (link["reservation_code"], link["amount_minor"], link["sandbox"]) == (held.code, held.deposit_minor, False)
    assert link["init_point"].startswith(f"{api.url}/checkout/")
    again = await links.create(held.code, "")
    assert again["preference_id"] == link["preference_id"]
    assert [p["idempotency_key"] for p in api.preferences] == [f"preference-{held.code}"]


async def test_only_a_stay_waiting_for_payment_is_payable(
    links: Links, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    confirmed = booking.hold(status="confirmed")
    with pytest.raises(DomainError) as refused:
        await links.create(confirmed.code, "")
    assert (refused.value.kind, refused.value.reason) == (Kind.CONFLICT, "NOT_PAYABLE")
    with pytest.raises(DomainError) as missing:
        await links.create("RES000000NOPE00", "")
    assert missing.value.kind is Kind.NOT_FOUND  # booking's answer, passed on
    assert api.calls == []


async def test_what_did_not_answer_is_unavailable(links: Links, api: FakeMercadoPago, booking: FakeBooking) -> None:
    held = booking.hold()
    api.failures = [500]
    with pytest.raises(DomainError) as failed:
        await links.create(held.code, "")
    assert (failed.value.kind, failed.value.reason) == (Kind.UNAVAILABLE, "MERCADOPAGO_UNAVAILABLE")
    assert failed.value.message == "Mercado Pago did not answer."  # the details stay in the log
    booking.down = True
    with pytest.raises(DomainError) as down:
        await links.create(held.code, "")
    assert down.value.kind is Kind.UNAVAILABLE
    booking.down = False
    assert (await links.create(held.code, ""))["reservation_code"] == held.code  # nothing was kept of the failures
