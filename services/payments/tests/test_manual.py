"""Money received by hand (RecordPayment's core) over a real Postgres, with booking as the
in-memory port: recorded once per key, a hold confirmed as a Mercado Pago approval confirms it,
nothing confirmed twice, and what takes no payment refused before anything is written."""

import asyncio
from dataclasses import replace
from typing import Any

import asyncpg
import pytest

from cabanas.v1 import payments_pb2
from services.common.errors import DomainError, Kind
from services.payments import convert, store
from services.payments.manual import ManualPayments, Received
from services.payments.ports import Outcome
from services.payments.tests.fakes import FakeBooking
from services.payments.tests.test_notifications import events

ACTOR = "user:7"


@pytest.fixture
def manual(pool: asyncpg.Pool, booking: FakeBooking) -> ManualPayments:
    return ManualPayments(pool, booking)


def cash(code: str, amount_minor: int, key: str = "", **changes: Any) -> Received:
    received = Received(code, amount_minor, "", "cash", ACTOR, key, "")
    return replace(received, **changes)


async def rows_of(pool: asyncpg.Pool, code: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        rows, _ = await store.list_payments(conn, code, [], 100, 0)
    return rows


async def test_cash_for_a_hold_confirms_it_and_is_an_approved_payment(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking
) -> None:
    held = booking.hold()
    row = await manual.record(cash(held.code, held.deposit_minor, note="  le dio a Juan en la puerta  "))
    assert row["external_id"].startswith("manual-")
    assert booking.confirmations == [(held.code, row["external_id"])] and booking.actors == [ACTOR]
    assert (row["status"], row["method"], row["recorded_by"], row["note"]) == (
        "approved",
        "cash",
        ACTOR,
        "le dio a Juan en la puerta",
    )
    assert (row["amount_minor"], row["currency"], row["issue"]) == (held.deposit_minor, "ARS", "none")
    assert row["confirmed_at"] is not None
    assert await events(pool) == [("payment.approved", row["external_id"])]
    listed = convert.payment_pb(row)
    assert (listed.method, listed.recorded_by, listed.status) == (
        payments_pb2.PAYMENT_METHOD_CASH,
        ACTOR,
        payments_pb2.PAYMENT_STATUS_APPROVED,
    )


async def test_the_same_key_records_one_payment_even_at_once(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking
) -> None:
    held = booking.hold()
    first, second = await asyncio.gather(*(manual.record(cash(held.code, 50_000_00, key="k-1")) for _ in range(2)))
    again = await manual.record(cash(held.code, 50_000_00, key="k-1"))
    assert first["external_id"] == second["external_id"] == again["external_id"]
    assert len(await rows_of(pool, held.code)) == 1 and len(booking.confirmations) == 1
    assert len(await events(pool)) == 1
    other = await manual.record(cash(held.code, 50_000_00, key="k-2"))  # another key: another payment
    assert other["external_id"] != first["external_id"] and len(await rows_of(pool, held.code)) == 2


async def test_a_retry_is_answered_even_after_the_reservation_changed(
    manual: ManualPayments, booking: FakeBooking
) -> None:
    held = booking.hold()
    first = await manual.record(cash(held.code, held.deposit_minor, key="k"))
    booking.reservations[held.code] = replace(held, status="cancelled")
    assert (await manual.record(cash(held.code, held.deposit_minor, key="k")))["id"] == first["id"]


async def test_the_same_key_for_another_payment_is_refused(manual: ManualPayments, booking: FakeBooking) -> None:
    held = booking.hold()
    await manual.record(cash(held.code, held.deposit_minor, key="k"))
    with pytest.raises(DomainError) as refused:
        await manual.record(cash(held.code, held.deposit_minor + 1, key="k"))
    assert (refused.value.kind, refused.value.reason) == (Kind.INVALID, "IDEMPOTENCY_KEY_REUSED")


async def test_a_payment_for_a_confirmed_stay_confirms_nothing_again(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking
) -> None:
    """The balance paid on arrival: booking is not asked, so it emits no second confirmation."""
    held = booking.hold(status="confirmed")
    # Within the total (beyond it a payment is a duplicate: test_balance.py); counted for the stay.
    row = await manual.record(cash(held.code, held.total_minor, method="transfer"))
    assert booking.confirmations == []
    assert (row["method"], row["issue"], row["confirmed_at"] is not None) == ("transfer", "none", True)


async def test_less_than_the_deposit_is_recorded_and_holds_nothing(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking
) -> None:
    held = booking.hold()
    row = await manual.record(cash(held.code, held.deposit_minor - 1))
    assert booking.confirmations == [] and (row["issue"], row["confirmed_at"]) == ("amount_mismatch", None)
    assert await events(pool) == [("payment.approved", row["external_id"]), ("payment.issue", row["external_id"])]


async def test_a_hold_that_ran_out_with_its_nights_taken_is_flagged_and_kept(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking
) -> None:
    booking.outcome = Outcome.PAID_BUT_UNAVAILABLE
    held = booking.hold()
    row = await manual.record(cash(held.code, held.deposit_minor))
    assert (row["status"], row["issue"], row["confirmed_at"]) == ("approved", "paid_but_unavailable", None)
    assert [r["external_id"] for r in await rows_of(pool, held.code)] == [row["external_id"]]


@pytest.mark.parametrize(
    ("status", "reason"),
    [("cancelled", "RESERVATION_CANCELLED"), ("expired", "RESERVATION_EXPIRED"), ("blocked", "NOT_A_RESERVATION")],
)
async def test_what_takes_no_payment_is_refused_and_nothing_written(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking, status: str, reason: str
) -> None:
    held = booking.hold(status=status)
    with pytest.raises(DomainError) as refused:
        await manual.record(cash(held.code, held.deposit_minor))
    assert (refused.value.kind, refused.value.reason) == (Kind.CONFLICT, reason)
    assert await rows_of(pool, held.code) == [] and await events(pool) == []


@pytest.mark.parametrize(
    ("changes", "amount", "reason"),
    [
        ({}, 0, "INVALID_AMOUNT"),
        ({}, -5, "INVALID_AMOUNT"),
        ({"method": "mercado_pago"}, 100, "INVALID_METHOD"),
        ({"method": "unspecified"}, 100, "INVALID_METHOD"),
        ({"note": "x" * 501}, 100, "NOTE_TOO_LONG"),
        ({"currency": "USD"}, 100, "CURRENCY_MISMATCH"),
        ({"actor": ""}, 100, "ACTOR_REQUIRED"),
    ],
)
async def test_bad_requests_are_refused_and_nothing_written(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking, changes: dict[str, str], amount: int, reason: str
) -> None:
    held = booking.hold()
    with pytest.raises(DomainError) as refused:
        await manual.record(cash(held.code, amount, **changes))
    assert (refused.value.kind, refused.value.reason) == (Kind.INVALID, reason)
    assert await rows_of(pool, held.code) == [] and booking.confirmations == []


async def test_an_unknown_reservation_is_not_found(manual: ManualPayments) -> None:
    with pytest.raises(DomainError) as refused:
        await manual.record(cash("RES000000NOPE00", 100))
    assert refused.value.kind is Kind.NOT_FOUND


async def test_booking_down_while_confirming_writes_nothing_and_a_retry_confirms(
    manual: ManualPayments, pool: asyncpg.Pool, booking: FakeBooking
) -> None:
    held = booking.hold()
    booking.answers_lost = True
    with pytest.raises(DomainError):
        await manual.record(cash(held.code, held.deposit_minor, key="k"))
    assert await rows_of(pool, held.code) == [] and await events(pool) == []
    booking.answers_lost = False
    row = await manual.record(cash(held.code, held.deposit_minor, key="k"))
    assert row["confirmed_at"] is not None and len(await rows_of(pool, held.code)) == 1


async def test_mercado_pago_payments_say_so_also_in_events_stored_before_the_columns(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        row = await store.lock_payment(conn, "123")
        await conn.execute(  # the row as 0002 left it
            "INSERT INTO outbox (type, payload) SELECT 'payment.approved', to_jsonb(p) - 'method' - 'recorded_by'"
            " - 'note' FROM payments p WHERE id = $1",
            row["id"],
        )
        [event] = await store.events_after(conn, 0, 10)
    assert convert.event_pb(event).payment.method == payments_pb2.PAYMENT_METHOD_MERCADO_PAGO
