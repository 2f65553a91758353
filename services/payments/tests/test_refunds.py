"""Refunds, directly: what a cancellation gives back by its mode (policy boundaries in the cabin's
zone, from the rules the stay was booked with), spread over the payments newest first, by hand for
cash, sent to Mercado Pago once per row however often it is retried, refusals and outages, refunds
made in Mercado Pago's panel recognised once, and the owner's refund of a duplicate payment; over a
real Postgres with booking as an in-memory port and Mercado Pago as a local fake."""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from cabanas.v1 import payments_pb2
from services.common.cancellation import Rule
from services.common.errors import DomainError, Kind
from services.payments import convert, refunds, store
from services.payments.events_in import Cancellations, to_refund
from services.payments.manual import ManualPayments
from services.payments.mercadopago import MercadoPago
from services.payments.notifications import Processor
from services.payments.ports import Cancelled, Reservation
from services.payments.refunds import MAX_ATTEMPTS, OwnerAsk, Refunds, spread
from services.payments.tests.fakes import FakeBooking, FakeMercadoPago
from services.payments.tests.test_balance import cash, paid_online
from services.payments.tests.test_notifications import events, payment_row, webhook

DEPOSIT, TOTAL = 30_000_00, 100_000_00
ARGENTINA = ZoneInfo("America/Argentina/Buenos_Aires")


class NoEvents:
    """ports.BookingEvents for what is handed to `Cancellations.handle` directly."""

    async def cancellations(self, after_id: int) -> AsyncIterator[Cancelled]:
        return
        yield


@pytest.fixture
def given_back(pool: asyncpg.Pool, mp: MercadoPago, booking: FakeBooking) -> Refunds:
    return Refunds(pool, mp, booking, retry_base=0.001)


@pytest.fixture
def cancellations(pool: asyncpg.Pool, given_back: Refunds) -> Cancellations:
    return Cancellations(pool, NoEvents(), given_back)


def cancelled(
    r: Reservation, mode: str = "policy", amount: int | None = None, at: datetime | None = None, event_id: int = 1
) -> Cancelled:
    at = at or datetime(2030, 11, 1, 12, tzinfo=ARGENTINA)  # two months before check-in: all back
    return Cancelled(event_id, replace(r, status="cancelled"), at, mode, amount, "guest", "no podemos ir")


async def refund_rows(pool: asyncpg.Pool, code: str) -> list[tuple[str, int, str]]:
    async with pool.acquire() as conn:
        return [
            (r["payment_external_id"], r["amount_minor"], r["status"]) for r in await refunds.list_refunds(conn, code)
        ]


async def send_all(given_back: Refunds) -> None:
    """The worker until nothing is due or waiting on a retry (whose delay grows: waited for)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not await given_back.run_once():
            async with given_back.pool.acquire() as conn:
                if not await conn.fetchval("SELECT count(*) FROM refunds WHERE status = 'requested'"):
                    return
            await asyncio.sleep(0.01)
    raise AssertionError("refunds still requested")


# What a cancellation gives back ---------------------------------------------------------------


@pytest.mark.parametrize(("days_before", "percent"), [(30, 100), (15, 100), (14, 50), (7, 50), (6, 0), (0, 0), (-1, 0)])
def test_the_default_policy_by_days_before_check_in(days_before: int, percent: int) -> None:
    held = FakeBooking().hold()  # checks in on 2031-01-03
    at = datetime(2031, 1, 3, 23, 59, tzinfo=ARGENTINA) - timedelta(days=days_before)
    assert to_refund(cancelled(held, at=at), DEPOSIT) == DEPOSIT * percent // 100


def test_days_count_in_the_cabins_zone_with_the_rules_it_was_booked_with() -> None:
    held = replace(FakeBooking().hold(), rules=(Rule(20, 100), Rule(5, 25)), time_zone="Asia/Tokyo")
    # 23:30 of Dec 13 in Buenos Aires is Dec 14 in Tokyo: 20 days before there (21 here).
    late = datetime(2030, 12, 13, 23, 30, tzinfo=ARGENTINA)
    assert to_refund(cancelled(held, at=late), DEPOSIT) == DEPOSIT
    assert to_refund(cancelled(held, at=late + timedelta(days=1)), DEPOSIT + 3) == (DEPOSIT + 3) // 4  # centavos down
    assert to_refund(cancelled(held, at=late + timedelta(days=16)), DEPOSIT) == 0  # 4 days before


@pytest.mark.parametrize(
    ("mode", "amount", "given"),
    [("full", None, DEPOSIT), ("amount", 12_345_50, 12_345_50), ("amount", DEPOSIT + 1, DEPOSIT), ("none", None, 0)],
)
def test_the_cancellers_choice(mode: str, amount: int | None, given: int) -> None:
    late = datetime(2031, 1, 2, tzinfo=ARGENTINA)  # the policy would give nothing back
    assert to_refund(cancelled(FakeBooking().hold(), mode, amount, at=late), DEPOSIT) == given


def test_a_refund_is_spread_over_the_payments_in_their_order() -> None:
    newest_first = [("c", 10), ("b", 0), ("a", 50)]
    assert spread(newest_first, 35) == [("c", 10), ("a", 25)]
    assert spread(newest_first, 5) == [("c", 5)]
    assert spread(newest_first, 100) == [("c", 10), ("a", 50)]  # never more than was paid
    assert spread(newest_first, 0) == []


# Cancellations ---------------------------------------------------------------------------------


async def test_a_cancellation_refunds_newest_first_online_and_by_hand(
    processor: Processor,
    cancellations: Cancellations,
    given_back: Refunds,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    deposit = await paid_online(processor, api, held.code, DEPOSIT)
    balance = await ManualPayments(pool, booking).record(cash(held.code, 20_000_00))
    await cancellations.handle(cancelled(held, "amount", 40_000_00))
    assert await refund_rows(pool, held.code) == [
        (deposit, 20_000_00, "requested"),
        (balance["external_id"], 20_000_00, "by_hand"),  # the owner gives the cash back
    ]
    await send_all(given_back)
    assert await refund_rows(pool, held.code) == [
        (deposit, 20_000_00, "approved"),
        (balance["external_id"], 20_000_00, "by_hand"),
    ]
    [made] = api.refunds
    async with pool.acquire() as conn:
        [row] = [r for r in await refunds.list_refunds(conn, held.code) if r["status"] == "approved"]
        assert await refunds.refunded_minor(conn, held.code) == 20_000_00
    assert made == {"payment": deposit, "body": {"amount": 20000.0}, "key": refunds.idempotency_key(row)}
    assert row["external_id"] and row["actor"] == "guest" and row["reason"] == "no podemos ir"
    paid = await payment_row(pool, deposit)
    assert paid is not None and (paid["status"], paid["refunded_minor"]) == ("approved", 20_000_00)
    assert (await events(pool))[-1] == ("payment.refunded", deposit)


async def test_a_cancellation_seen_twice_refunds_once_and_a_hold_never_paid_nothing(
    processor: Processor,
    cancellations: Cancellations,
    given_back: Refunds,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    deposit = await paid_online(processor, api, held.code, DEPOSIT)
    for event_id in (1, 1, 2):  # replayed, and booking's event seen again after a restart
        await cancellations.handle(cancelled(held, event_id=event_id))
        await send_all(given_back)
    assert await refund_rows(pool, held.code) == [(deposit, DEPOSIT, "approved")]
    assert [r["body"] for r in api.refunds] == [{}]  # all of it: no amount, as Mercado Pago takes it
    paid = await payment_row(pool, deposit)
    assert paid is not None and (paid["status"], paid["refunded_minor"]) == ("refunded", DEPOSIT)

    api.payments[deposit] |= {"status": "refunded", "transaction_amount_refunded": DEPOSIT / 100}
    before = await events(pool)
    await processor.receive(webhook(deposit))  # Mercado Pago's notification of our refund
    await processor.run_once()
    assert await events(pool) == before and await refund_rows(pool, held.code) == [(deposit, DEPOSIT, "approved")]
    paid = await payment_row(pool, deposit)
    assert paid is not None and paid["issue"] == "none"

    unpaid = booking.hold()
    await cancellations.handle(cancelled(unpaid, "full"))
    assert await refund_rows(pool, unpaid.code) == []


# Sending to Mercado Pago ------------------------------------------------------------------------


async def test_a_refund_retried_after_its_answer_was_lost_is_made_once(
    processor: Processor,
    cancellations: Cancellations,
    given_back: Refunds,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
    mp: MercadoPago,
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    deposit = await paid_online(processor, api, held.code, DEPOSIT)
    await cancellations.handle(cancelled(held, "amount", 10_000_00))
    async with pool.acquire() as conn:
        [row] = await refunds.list_refunds(conn, held.code)
    await mp.refund(deposit, 10_000_00, refunds.idempotency_key(row))  # reached Mercado Pago, the answer lost
    api.failures = [500, 500]  # then Mercado Pago fails twice
    await send_all(given_back)
    assert await refund_rows(pool, held.code) == [(deposit, 10_000_00, "approved")]
    assert api.payments[deposit]["transaction_amount_refunded"] == 10_000.0  # given back once
    assert len({r["key"] for r in api.refunds}) == 1
    async with pool.acquire() as conn:
        [row] = await refunds.list_refunds(conn, held.code)
    assert row["attempts"] == 3


async def test_a_refusal_is_rejected_and_an_outage_fails_after_the_last_attempt(
    processor: Processor,
    cancellations: Cancellations,
    given_back: Refunds,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
) -> None:
    refused, down = booking.hold(DEPOSIT, total_minor=TOTAL), booking.hold(DEPOSIT, total_minor=TOTAL)
    first = await paid_online(processor, api, refused.code, DEPOSIT)
    second = await paid_online(processor, api, down.code, DEPOSIT)
    api.payments[first]["status"] = "in_mediation"  # Mercado Pago refuses: 400
    await cancellations.handle(cancelled(refused, "full"))
    await send_all(given_back)
    api.failures = [503] * MAX_ATTEMPTS
    await cancellations.handle(cancelled(down, "full"))
    await send_all(given_back)
    assert await refund_rows(pool, refused.code) == [(first, DEPOSIT, "rejected")]
    assert await refund_rows(pool, down.code) == [(second, DEPOSIT, "failed")]
    for payment in (first, second):
        row = await payment_row(pool, payment)
        assert row is not None and row["issue"] == "refund_failed"
    assert [e for e in await events(pool) if e[0] == "refund.failed"] == [
        ("refund.failed", first),
        ("refund.failed", second),
    ]
    async with pool.acquire() as conn:
        [row] = await refunds.list_refunds(conn, refused.code)
        assert "400" in row["error"] and row["attempts"] == 1
        queued = await conn.fetchval("SELECT count(*) FROM notifications WHERE action = 'refund.failed'")
    assert queued == 2  # both payments fetched again: a refusal may be a refund made in the panel


# Refunds made in Mercado Pago's panel ------------------------------------------------------------


async def test_a_refund_made_in_the_panel_is_recorded_once_and_flagged(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    deposit = await paid_online(processor, api, held.code, DEPOSIT)
    api.payments[deposit] |= {"status_detail": "partially_refunded", "transaction_amount_refunded": 5_000.0}
    for _ in range(2):  # notified twice
        await processor.receive(webhook(deposit))
        await processor.run_once()
    async with pool.acquire() as conn:
        [row] = await refunds.list_refunds(conn, held.code)
    assert (row["amount_minor"], row["status"], row["actor"], row["reason"]) == (
        5_000_00,
        "approved",
        "mercadopago",
        "hecho en Mercado Pago",
    )
    paid = await payment_row(pool, deposit)
    assert paid is not None and (paid["status"], paid["issue"], paid["refunded_minor"]) == (
        "approved",
        "refunded_outside",
        5_000_00,
    )
    assert await events(pool) == [
        ("payment.approved", deposit),
        ("payment.refunded", deposit),
        ("payment.issue", deposit),
    ]

    api.payments[deposit] |= {"status": "refunded", "transaction_amount_refunded": DEPOSIT / 100}  # then the rest
    await processor.receive(webhook(deposit))
    await processor.run_once()
    assert await refund_rows(pool, held.code) == [
        (deposit, DEPOSIT - 5_000_00, "approved"),
        (deposit, 5_000_00, "approved"),
    ]
    assert (await events(pool))[3:] == [("payment.refunded", deposit)]  # its status event says it


async def test_a_refund_in_the_panel_of_a_cancelled_stay_is_no_issue(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    deposit = await paid_online(processor, api, held.code, DEPOSIT)
    booking.reservations[held.code] = replace(held, status="cancelled")
    api.payments[deposit] |= {"status": "refunded", "transaction_amount_refunded": DEPOSIT / 100}
    await processor.receive(webhook(deposit))
    await processor.run_once()
    paid = await payment_row(pool, deposit)
    assert paid is not None and (paid["status"], paid["issue"], paid["refunded_minor"]) == ("refunded", "none", DEPOSIT)


# The owner's refund -----------------------------------------------------------------------------


async def test_the_owner_gives_back_a_duplicate_payment_once_per_key(
    processor: Processor, given_back: Refunds, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    twice = await paid_online(processor, api, held.code, TOTAL)  # the whole stay on top of the deposit
    asked = OwnerAsk(held.code, None, "", "user:7", "pagó dos veces", "k1")
    row = await given_back.refund(asked)
    assert (row["payment_external_id"], row["amount_minor"], row["actor"]) == (twice, DEPOSIT, "user:7")
    assert (await given_back.refund(asked))["id"] == row["id"]  # the same key: the same refund
    await send_all(given_back)
    assert [r["body"] for r in api.refunds] == [{"amount": DEPOSIT / 100}]

    with pytest.raises(DomainError) as nothing:
        await given_back.refund(replace(asked, idempotency_key="k2"))  # nothing overpaid any more
    assert nothing.value.kind is Kind.CONFLICT and nothing.value.reason == "NOTHING_TO_REFUND"
    with pytest.raises(DomainError) as too_much:
        await given_back.refund(replace(asked, amount_minor=TOTAL + 1, idempotency_key="k3"))
    assert too_much.value.kind is Kind.INVALID and too_much.value.reason == "REFUND_TOO_LARGE"
    with pytest.raises(DomainError) as other:
        await given_back.refund(replace(asked, amount_minor=1, currency="USD", idempotency_key="k4"))
    assert other.value.reason == "CURRENCY_MISMATCH"
    assert await refund_rows(pool, held.code) == [(twice, DEPOSIT, "approved")]  # nothing written by the refusals
    async with pool.acquire() as conn:
        assert not await conn.fetchval(
            "SELECT count(*) FROM refund_requests WHERE request LIKE '%k3' OR request LIKE '%k2'"
        )


async def test_events_carry_what_went_back_of_the_payment(
    processor: Processor, given_back: Refunds, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    await given_back.refund(OwnerAsk(held.code, 1_000_00, "ARS", "admin:ana", "", ""))
    await send_all(given_back)
    async with pool.acquire() as conn:
        last = (await store.events_after(conn, 0, 100))[-1]
    assert (last["event_type"], last["refunded_minor"], last["reservation_code"]) == (
        "payment.refunded",
        1_000_00,
        held.code,
    )
    assert convert.event_pb(last).refund.amount.amount_minor == 1_000_00  # this refund, as it was then


# Given back by hand ------------------------------------------------------------------------------


async def _rows(pool: asyncpg.Pool, code: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await refunds.list_refunds(conn, code)


async def _last_event(pool: asyncpg.Pool) -> payments_pb2.PaymentEvent:
    async with pool.acquire() as conn:
        return convert.event_pb((await store.events_after(conn, 0, 1000))[-1])


async def test_cash_is_the_owners_to_give_back_and_counts_once_recorded(
    processor: Processor,
    cancellations: Cancellations,
    given_back: Refunds,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    deposit = await paid_online(processor, api, held.code, DEPOSIT)
    at_hand = (await ManualPayments(pool, booking).record(cash(held.code, 20_000_00)))["external_id"]
    await cancellations.handle(cancelled(held, "full"))
    told = await _last_event(pool)
    assert (told.type, told.payment.external_id, told.refund.amount.amount_minor) == (
        "refund.by_hand",
        at_hand,
        20_000_00,
    )
    await send_all(given_back)
    [by_hand] = [r for r in await _rows(pool, held.code) if r["status"] == "by_hand"]
    async with pool.acquire() as conn:
        assert await refunds.refunded_minor(conn, held.code) == DEPOSIT  # the cash is not back yet

    settled = await given_back.settle(held.code, by_hand["id"], "user:7")
    assert (settled["status"], settled["settled_by"], settled["actor"]) == ("approved", "user:7", "guest")
    again = await given_back.settle(held.code, by_hand["id"], "user:8")  # a second tap records nothing more
    assert again["settled_by"] == "user:7"
    async with pool.acquire() as conn:
        assert await refunds.refunded_minor(conn, held.code) == DEPOSIT + 20_000_00
    row = await payment_row(pool, at_hand)
    assert row is not None and (row["status"], row["refunded_minor"]) == ("refunded", 20_000_00)
    told = await _last_event(pool)
    assert (told.type, told.refund.settled_by, told.refund.amount.amount_minor) == (
        "payment.refunded",
        "user:7",
        20_000_00,
    )
    assert [e for e in await events(pool) if e == ("payment.refunded", at_hand)] == [("payment.refunded", at_hand)]
    [online] = [r for r in await _rows(pool, held.code) if r["payment_external_id"] == deposit]
    assert (await given_back.settle(held.code, online["id"], "user:7"))["settled_by"] == ""  # made by Mercado Pago


async def test_only_a_refund_a_person_must_give_is_recorded_given(
    processor: Processor,
    cancellations: Cancellations,
    given_back: Refunds,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
) -> None:
    held, other = booking.hold(DEPOSIT, total_minor=TOTAL), booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    await cancellations.handle(cancelled(held, "full"))
    [on_its_way] = await _rows(pool, held.code)
    with pytest.raises(DomainError) as refused:
        await given_back.settle(held.code, on_its_way["id"], "user:7")
    assert (refused.value.kind, refused.value.reason) == (Kind.CONFLICT, "REFUND_ON_ITS_WAY")
    for code, refund_id, actor in ((other.code, on_its_way["id"], "user:7"), (held.code, 10**9, "user:7")):
        with pytest.raises(DomainError) as missing:
            await given_back.settle(code, refund_id, actor)  # another reservation's, or none
        assert missing.value.kind == Kind.NOT_FOUND
    with pytest.raises(DomainError) as nobody:
        await given_back.settle(held.code, on_its_way["id"], "")
    assert nobody.value.reason == "ACTOR_REQUIRED"
    assert [r["status"] for r in await _rows(pool, held.code)] == ["requested"]


async def test_a_refund_mercado_pago_would_not_make_given_by_hand_clears_the_flag(
    processor: Processor,
    cancellations: Cancellations,
    given_back: Refunds,
    pool: asyncpg.Pool,
    api: FakeMercadoPago,
    booking: FakeBooking,
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    payment = await paid_online(processor, api, held.code, DEPOSIT)
    api.payments[payment]["status"] = "in_mediation"  # Mercado Pago refuses: 400
    await cancellations.handle(cancelled(held, "full"))
    await send_all(given_back)
    [rejected] = await _rows(pool, held.code)
    told = await _last_event(pool)
    assert (told.type, told.refund.status) == ("refund.failed", payments_pb2.REFUND_STATUS_REJECTED)
    await given_back.settle(held.code, rejected["id"], "user:7")
    row = await payment_row(pool, payment)
    assert row is not None and (row["issue"], row["status"], row["refunded_minor"]) == ("none", "refunded", DEPOSIT)
