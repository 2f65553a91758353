"""Notification processing, directly: the Processor over a real Postgres with booking as an
in-memory port and Mercado Pago as a local fake. What the webhook tests show end to end
(tests/test_payments.py), made explicit one rule at a time."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from services.common.errors import DomainError, Kind
from services.payments import store
from services.payments.notifications import NOT_FOUND_ATTEMPTS, Processor, Received, Stored, parse
from services.payments.ports import Outcome
from services.payments.tests.conftest import RETRY_BASE_SECONDS
from services.payments.tests.fakes import FakeBooking, FakeMercadoPago

# Parsing: the forms Mercado Pago sends ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "query", "parsed"),
    [
        (
            b'{"type": "payment", "action": "payment.updated", "data": {"id": "123"}}',
            {},
            ("payment", "123", "payment.updated"),
        ),
        (b"", {"type": "payment", "data.id": "123"}, ("payment", "123", "")),
        (b"", {"topic": "payment", "id": "123"}, ("payment", "123", "")),  # legacy IPN
        (b"not json", {"type": "payment", "data.id": "123"}, ("payment", "123", "")),  # the query suffices
        (
            b'{"topic": "merchant_order", "resource": "https://api.mercadopago.com/merchant_orders/77"}',
            {},
            ("merchant_order", "77", ""),
        ),
        (b'{"type": "topic_chargebacks_wh", "data": {"id": "9"}}', {}, ("chargebacks", "9", "")),
    ],
)
def test_parse_reads_the_body_and_query_forms(body: bytes, query: dict[str, str], parsed: tuple[str, str, str]) -> None:
    assert parse(body, query) == parsed


@pytest.mark.parametrize(
    ("body", "query"),
    [
        (b"not json", {}),
        (b"{}", {}),
        (b'{"type": "payment"}', {}),  # no id
        (b"", {"type": "payment", "data.id": "12 3; DROP"}),  # not an id
        (b"", {"type": "x" * 65, "data.id": "1"}),
    ],
)
def test_parse_refuses_what_names_no_resource(body: bytes, query: dict[str, str]) -> None:
    with pytest.raises(DomainError) as refused:
        parse(body, query)
    assert refused.value.kind is Kind.INVALID and refused.value.reason == "INVALID_NOTIFICATION"


# Processing --------------------------------------------------------------------------


def webhook(payment_id: str, topic: str = "payment") -> Received:
    return Received(
        body=b"",
        query={"type": topic, "data.id": payment_id},
        headers={"x-request-id": "r"},
        received_at=datetime.now(UTC),
        traceparent="",
    )


async def payment_row(pool: asyncpg.Pool, payment_id: str) -> asyncpg.Record | None:
    async with pool.acquire() as conn:
        return await store.get_payment(conn, payment_id)


async def notification(pool: asyncpg.Pool, stored: Stored) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT *, extract(epoch FROM next_attempt_at - now()) AS due_in FROM notifications WHERE id = $1",
            stored.id,
        )
    assert row is not None
    return row


async def events(pool: asyncpg.Pool) -> list[tuple[str, Any]]:
    async with pool.acquire() as conn:
        return [(r["event_type"], r["external_id"]) for r in await store.events_after(conn, 0, 100)]


async def test_an_approved_payment_confirms_its_reservation(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    stored = await processor.receive(webhook(payment_id))
    assert (stored.topic, stored.resource_id) == ("payment", payment_id)
    assert await processor.run_once() == 1
    assert booking.confirmations == [(held.code, f"mercadopago:{payment_id}")]
    row = await payment_row(pool, payment_id)
    assert row is not None
    assert (row["status"], row["issue"], row["events_count"]) == ("approved", "none", 1)
    assert row["confirmed_at"] is not None and row["amount_minor"] == held.deposit_minor
    assert await events(pool) == [("payment.approved", payment_id)]
    assert (await notification(pool, stored))["processed_at"] is not None
    assert await processor.run_once() == 0  # nothing left


async def test_duplicate_notifications_are_each_counted_and_confirm_once(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    for _ in range(5):
        await processor.receive(webhook(payment_id))
    assert await processor.run_once() == 5  # applied concurrently, one after the other per payment
    await processor.receive(webhook(payment_id))
    assert await processor.run_once() == 1
    assert len(booking.confirmations) == 1
    row = await payment_row(pool, payment_id)
    assert row is not None and row["events_count"] == 6
    assert await events(pool) == [("payment.approved", payment_id)]


@pytest.mark.parametrize(
    ("paid_minor", "currency", "known", "issue"),
    [
        (-1, "ARS", True, "amount_mismatch"),
        (0, "USD", True, "currency_mismatch"),
        (0, "ARS", False, "unknown_reference"),
    ],
)
async def test_a_payment_that_does_not_pay_for_the_stay_is_flagged_and_never_confirms(
    processor: Processor,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
    paid_minor: int,
    currency: str,
    known: bool,
    issue: str,
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code if known else "RES000000NOPE00", held.deposit_minor + paid_minor, currency)
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    row = await payment_row(pool, payment_id)
    assert row is not None and (row["status"], row["issue"], row["confirmed_at"]) == ("approved", issue, None)
    assert await events(pool) == [("payment.approved", payment_id), ("payment.issue", payment_id)]
    await processor.receive(webhook(payment_id))  # asked again: still flagged, still not confirmed
    await processor.run_once()
    assert booking.confirmations == []


async def test_paying_more_than_the_deposit_confirms(
    processor: Processor, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    await processor.receive(webhook(api.pay(held.code, held.deposit_minor + 1)))
    await processor.run_once()
    assert [code for code, _ in booking.confirmations] == [held.code]


async def test_paid_after_the_dates_were_taken_is_flagged_for_a_refund(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    booking.outcome = Outcome.PAID_BUT_UNAVAILABLE
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    row = await payment_row(pool, payment_id)
    assert row is not None and (row["issue"], row["confirmed_at"]) == ("paid_but_unavailable", None)


async def test_a_refund_made_outside_after_confirming_is_flagged(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    api.payments[payment_id]["status"] = "refunded"
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    row = await payment_row(pool, payment_id)
    assert row is not None and (row["status"], row["issue"]) == ("refunded", "refunded_outside")
    assert [e for e, _ in await events(pool)] == ["payment.approved", "payment.refunded", "payment.issue"]


# One payment confirms a reservation: any other pays its balance, beyond the total it is a duplicate
# (a second payment within the total is the balance now: test_balance.py) --------------------------


async def claims(pool: asyncpg.Pool) -> dict[str, str]:
    async with pool.acquire() as conn:
        return {r["reservation_code"]: r["external_id"] for r in await conn.fetch("SELECT * FROM confirmations")}


async def test_a_second_payment_beyond_the_total_is_a_duplicate(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    first = api.pay(held.code, held.deposit_minor)
    await processor.receive(webhook(first))
    await processor.run_once()
    second = api.pay(held.code, held.total_minor)  # the deposit and the whole stay again
    for _ in range(2):  # and its replay
        await processor.receive(webhook(second))
        await processor.run_once()
    row = await payment_row(pool, second)
    assert row is not None and (row["status"], row["issue"], row["confirmed_at"]) == (
        "approved",
        "duplicate_payment",
        None,
    )
    assert booking.confirmations == [(held.code, f"mercadopago:{first}")]  # booking is not even asked
    assert await events(pool) == [("payment.approved", first), ("payment.approved", second), ("payment.issue", second)]
    assert await claims(pool) == {held.code: first}


async def test_two_payments_of_one_reservation_at_once_confirm_once(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    paid = [api.pay(held.code, held.total_minor) for _ in range(2)]  # the whole stay, twice
    for payment_id in paid:
        await processor.receive(webhook(payment_id))
    assert await processor.run_once() == 2
    rows = [await payment_row(pool, p) for p in paid]
    assert sorted(r["issue"] for r in rows if r is not None) == ["duplicate_payment", "none"]
    assert len(booking.confirmations) == 1


async def test_a_payment_beyond_the_total_of_a_reservation_confirmed_in_cash_is_a_duplicate(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    booking.outcome = Outcome.ALREADY_CONFIRMED  # the owner confirmed it without a payment
    held = booking.hold(status="confirmed")
    payment_id = api.pay(held.code, held.total_minor + 1)  # within the total it would pay the stay
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    row = await payment_row(pool, payment_id)
    assert row is not None and (row["issue"], row["confirmed_at"]) == ("duplicate_payment", None)
    assert await events(pool) == [("payment.approved", payment_id), ("payment.issue", payment_id)]
    assert await claims(pool) == {}  # a later payment is asked about anew: a duplicate too


async def test_a_confirmation_whose_answer_was_lost_is_not_a_duplicate(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    booking.answers_lost = True  # booking confirms; payments' transaction fails
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    assert await payment_row(pool, payment_id) is None
    booking.answers_lost, booking.outcome = False, Outcome.ALREADY_CONFIRMED
    await asyncio.sleep(RETRY_BASE_SECONDS)
    assert await processor.run_once() == 1
    row = await payment_row(pool, payment_id)
    assert row is not None and row["issue"] == "none" and row["confirmed_at"] is not None
    assert await events(pool) == [("payment.approved", payment_id)]


async def test_a_chargeback_of_a_payment_that_never_confirmed_keeps_its_issue(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor - 1)  # amount_mismatch: never confirmed
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    api.payments[payment_id]["status"] = "charged_back"
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    row = await payment_row(pool, payment_id)
    assert row is not None and (row["status"], row["issue"]) == ("charged_back", "amount_mismatch")


async def test_a_failing_mercadopago_call_is_retried_later_with_a_growing_delay(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    api.failures = [500, 500]
    stored = await processor.receive(webhook(payment_id))
    for attempt in (1, 2):
        assert await processor.run_once() == 1
        kept = await notification(pool, stored)
        assert kept["processed_at"] is None and kept["attempts"] == attempt
        assert "Unavailable" in kept["last_error"] and "HTTP 500" in kept["last_error"]
        delay = RETRY_BASE_SECONDS * 2 ** (attempt - 1)
        assert delay / 2 < kept["due_in"] <= delay
        assert await processor.run_once() == 0  # not due yet
        await asyncio.sleep(delay)
    assert await payment_row(pool, payment_id) is None and booking.confirmations == []
    assert await processor.run_once() == 1
    assert len(booking.confirmations) == 1
    assert (await notification(pool, stored))["processed_at"] is not None


async def test_booking_down_is_retried_later(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    booking.down = True
    stored = await processor.receive(webhook(payment_id))
    await processor.run_once()
    kept = await notification(pool, stored)
    assert kept["processed_at"] is None and "booking did not answer" in kept["last_error"]
    assert await payment_row(pool, payment_id) is None  # nothing of the attempt was kept
    booking.down = False
    await asyncio.sleep(RETRY_BASE_SECONDS)
    assert await processor.run_once() == 1
    assert len(booking.confirmations) == 1


async def test_a_payment_mercadopago_does_not_know_is_set_aside(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago
) -> None:
    stored = await processor.receive(webhook("404404"))
    for attempt in range(1, NOT_FOUND_ATTEMPTS):  # the API can lag behind its notifications: asked again
        assert await processor.run_once() == 1
        kept = await notification(pool, stored)
        assert kept["processed_at"] is None and kept["last_error"].startswith("NotFound")
        await asyncio.sleep(RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    assert await processor.run_once() == 1
    kept = await notification(pool, stored)
    assert kept["processed_at"] is not None and kept["last_error"] == "Mercado Pago does not know this payment"
    assert api.calls == ["GET /v1/payments/404404"] * NOT_FOUND_ATTEMPTS


async def test_a_payment_the_api_serves_late_is_retried_with_a_growing_delay(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    api.failures = [404, 404]
    stored = await processor.receive(webhook(payment_id))
    for attempt in (1, 2):
        assert await processor.run_once() == 1
        kept = await notification(pool, stored)
        delay = RETRY_BASE_SECONDS * 2 ** (attempt - 1)
        assert kept["processed_at"] is None and delay / 2 < kept["due_in"] <= delay
        await asyncio.sleep(delay)
    assert await processor.run_once() == 1
    assert booking.confirmations == [(held.code, f"mercadopago:{payment_id}")]
    assert (await notification(pool, stored))["processed_at"] is not None


async def test_other_topics_are_stored_and_skipped(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago
) -> None:
    stored = await processor.receive(webhook("77", topic="merchant_order"))
    await processor.run_once()
    kept = await notification(pool, stored)
    assert kept["processed_at"] is not None and kept["last_error"] == "topic merchant_order not handled"
    assert api.calls == []


async def test_a_notification_without_an_id_is_refused_and_not_stored(processor: Processor, pool: asyncpg.Pool) -> None:
    with pytest.raises(DomainError) as refused:
        await processor.receive(Received(b"not json", {}, {}, datetime.now(UTC), ""))
    assert refused.value.reason == "INVALID_NOTIFICATION"
    async with pool.acquire() as conn:
        assert await store.pending_count(conn) == 0


async def test_reprocessing_fetches_the_payment_again(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    payment_id = api.pay(held.code, held.deposit_minor)
    stored = await processor.receive(webhook(payment_id))
    await processor.run_once()
    assert await processor.reprocess(stored.id) == stored
    assert await processor.run_once() == 1
    row = await payment_row(pool, payment_id)
    assert row is not None and row["events_count"] == 2 and len(booking.confirmations) == 1
    with pytest.raises(DomainError) as missing:
        await processor.reprocess(stored.id + 1000)
    assert missing.value.kind is Kind.NOT_FOUND


# Reconciliation ----------------------------------------------------------------------


async def _link(pool: asyncpg.Pool, code: str, expires_in: timedelta) -> None:
    async with pool.acquire() as conn:
        await store.insert_link(
            conn,
            {
                "reservation_code": code,
                "preference_id": f"pref-{code}",
                "init_point": "https://example.invalid/checkout",
                "amount_minor": 30_000_00,
                "currency": "ARS",
                "expires_at": datetime.now(UTC) + expires_in,
                "sandbox": False,
            },
        )


async def test_reconciliation_queues_a_payment_whose_notification_was_lost(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    soon, later = booking.hold(), booking.hold()
    await _link(pool, soon.code, timedelta(minutes=2))
    await _link(pool, later.code, timedelta(hours=2))  # not near expiry: not asked about
    payment_id = api.pay(soon.code, soon.deposit_minor)
    api.pay(later.code, later.deposit_minor)
    assert await processor.reconcile(within_seconds=600) == 1
    assert api.calls == ["GET /v1/payments/search"]
    assert await processor.reconcile(within_seconds=600) == 0  # asked a moment ago
    assert await processor.run_once() == 1
    assert booking.confirmations == [(soon.code, f"mercadopago:{payment_id}")]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT source FROM notifications") == "reconciliation"


async def test_reconciliation_skips_what_it_cannot_ask_about(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold()
    await _link(pool, held.code, timedelta(minutes=2))
    api.pay(held.code, held.deposit_minor)
    api.failures = [503]
    assert await processor.reconcile(within_seconds=600) == 0
