"""The balance after the deposit, directly: the arithmetic, payments counted as deposit, balance or
duplicate (online and by hand, one after the other), and GetBalance's link and quote; over a real
Postgres with booking as an in-memory port and Mercado Pago as a local fake."""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.common.cancellation import Rule
from services.payments import balance, store
from services.payments.balance import Balances
from services.payments.links import Links, preference
from services.payments.manual import ManualPayments, Received
from services.payments.mercadopago import MercadoPago
from services.payments.notifications import Processor
from services.payments.tests.fakes import FakeBooking, FakeMercadoPago
from services.payments.tests.test_notifications import events, payment_row, webhook

PUBLIC_URL = "https://cabanas.example"
DEPOSIT, TOTAL = 30_000_00, 100_000_00


@pytest.fixture
def links(pool: asyncpg.Pool, mp: MercadoPago, booking: FakeBooking) -> Links:
    return Links(pool, mp, booking, PUBLIC_URL, sandbox=False)


@pytest.fixture
def balances(pool: asyncpg.Pool, booking: FakeBooking, links: Links) -> Balances:
    return Balances(pool, booking, links)


@pytest.fixture
def manual(pool: asyncpg.Pool, booking: FakeBooking) -> ManualPayments:
    return ManualPayments(pool, booking)


async def paid_online(processor: Processor, api: FakeMercadoPago, code: str, amount_minor: int) -> str:
    payment_id = api.pay(code, amount_minor)
    await processor.receive(webhook(payment_id))
    await processor.run_once()
    return payment_id


def cash(code: str, amount_minor: int) -> Received:
    return Received(code, amount_minor, "", "cash", "user:1", "", "")


# The arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "paid", "refunded", "due", "overpaid"),
    [
        ("pre_reserved", 0, 0, TOTAL, 0),
        ("confirmed", DEPOSIT, 0, TOTAL - DEPOSIT, 0),
        ("confirmed", TOTAL, 0, 0, 0),
        ("confirmed", TOTAL + DEPOSIT, 0, 0, DEPOSIT),
        ("confirmed", TOTAL + DEPOSIT, DEPOSIT, 0, 0),  # the duplicate given back
        ("confirmed", TOTAL, DEPOSIT, DEPOSIT, 0),  # a refund reopens what is due
        ("cancelled", DEPOSIT, 0, 0, 0),
        ("expired", DEPOSIT, 0, 0, 0),
    ],
)
def test_due_and_overpaid(status: str, paid: int, refunded: int, due: int, overpaid: int) -> None:
    assert balance.due_minor(status, TOTAL, paid, refunded) == due
    assert balance.overpaid_minor(TOTAL, paid, refunded) == overpaid


def test_a_payment_pays_the_deposit_until_it_is_covered_then_the_balance() -> None:
    assert [balance.kind_of(kept, DEPOSIT) for kept in (0, DEPOSIT - 1, DEPOSIT, TOTAL)] == [
        "deposit",
        "deposit",
        "balance",
        "balance",
    ]


def test_cancelling_now_quotes_the_policy_in_the_cabins_zone() -> None:
    held = FakeBooking().hold()  # checks in on 2031-01-03
    zoned = replace(held, rules=(Rule(15, 100), Rule(7, 50)), time_zone="Asia/Tokyo")
    # 23:30 of Dec 18 in Buenos Aires is already Dec 19 in Tokyo: 15 days there, 16 here.
    at = datetime(2030, 12, 18, 23, 30, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires"))
    assert balance.quote(zoned, DEPOSIT, at) == balance.Quote(15, 100, DEPOSIT)
    at += timedelta(days=1)
    assert balance.quote(zoned, DEPOSIT + 1, at) == balance.Quote(14, 50, DEPOSIT // 2)  # down to the centavo
    assert balance.quote(held, DEPOSIT, at).days_before == 15  # no zone: Argentina's, the default policy


# Counting payments ------------------------------------------------------------------------------


async def test_online_the_deposit_then_the_balance_then_a_duplicate(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    deposit = await paid_online(processor, api, held.code, DEPOSIT)
    rest = await paid_online(processor, api, held.code, TOTAL - DEPOSIT)
    again = await paid_online(processor, api, held.code, 1)
    rows = [await payment_row(pool, p) for p in (deposit, rest, again)]
    assert [(r["kind"], r["issue"], r["confirmed_at"] is not None) for r in rows if r] == [
        ("deposit", "none", True),
        ("balance", "none", True),
        ("", "duplicate_payment", False),
    ]
    assert booking.confirmations == [(held.code, f"mercadopago:{deposit}")]  # the balance confirms nothing
    assert await events(pool) == [
        ("payment.approved", deposit),
        ("payment.approved", rest),
        ("payment.approved", again),
        ("payment.issue", again),
    ]


async def test_a_balance_paid_twice_at_once_is_counted_once(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    both = [api.pay(held.code, TOTAL - DEPOSIT) for _ in range(2)]
    for payment_id in both:
        await processor.receive(webhook(payment_id))
    assert await processor.run_once() == 2  # applied concurrently: counted one after the other
    rows = [await payment_row(pool, p) for p in both]
    assert sorted((r["kind"], r["issue"]) for r in rows if r) == [("", "duplicate_payment"), ("balance", "none")]


async def test_a_chargeback_of_the_balance_is_flagged(
    processor: Processor, pool: asyncpg.Pool, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    rest = await paid_online(processor, api, held.code, TOTAL - DEPOSIT)
    api.payments[rest]["status"] = "charged_back"
    await processor.receive(webhook(rest))
    await processor.run_once()
    row = await payment_row(pool, rest)
    assert row is not None and (row["status"], row["issue"]) == ("charged_back", "charged_back")


async def test_cash_for_a_confirmed_stay_pays_its_balance_and_beyond_it_is_a_duplicate(
    processor: Processor, manual: ManualPayments, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    part = await manual.record(cash(held.code, 50_000_00))
    rest = await manual.record(cash(held.code, TOTAL - DEPOSIT - 50_000_00))
    extra = await manual.record(cash(held.code, 1))
    assert [(r["kind"], r["issue"]) for r in (part, rest, extra)] == [
        ("balance", "none"),
        ("balance", "none"),
        ("", "duplicate_payment"),
    ]


async def test_cash_for_a_stay_confirmed_without_payment_pays_its_deposit(
    manual: ManualPayments, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, status="confirmed", total_minor=TOTAL)  # confirmed by the owner
    row = await manual.record(cash(held.code, 10_000_00))
    assert (row["kind"], row["issue"]) == ("deposit", "none") and booking.confirmations == []


# GetBalance -------------------------------------------------------------------------------------


async def test_a_confirmed_stay_owes_the_rest_and_gets_one_balance_link_per_amount(
    processor: Processor, balances: Balances, manual: ManualPayments, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    first = await balances.get(held.code)
    assert (first.total_minor, first.paid_minor, first.refunded_minor) == (TOTAL, DEPOSIT, 0)
    assert (first.due_minor, first.overpaid_minor, first.refunds) == (TOTAL - DEPOSIT, 0, [])
    assert first.payment_url.startswith(f"{api.url}/checkout/")
    quote = first.if_cancelled_now
    assert quote is not None and (quote.percent, quote.refund_minor) == (100, DEPOSIT)  # years ahead
    assert (await balances.get(held.code)).payment_url == first.payment_url  # asked again: the same link
    [pref] = api.preferences
    assert (pref["idempotency_key"], pref["metadata"], pref["expires"]) == (
        f"balance-{held.code}-{TOTAL - DEPOSIT}",
        {"kind": "balance"},
        False,
    )
    assert pref["items"][0]["unit_price"] == (TOTAL - DEPOSIT) / 100 and pref["external_reference"] == held.code
    await manual.record(cash(held.code, 20_000_00))
    later = await balances.get(held.code)  # what is due changed: a link for the new amount
    assert later.due_minor == TOTAL - DEPOSIT - 20_000_00 and later.payment_url != first.payment_url
    assert [p["items"][0]["unit_price"] for p in api.preferences] == [70_000.0, 50_000.0]


async def test_no_balance_link_when_nothing_is_due_paid_on_arrival_or_held(
    processor: Processor, balances: Balances, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    paid = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, paid.code, TOTAL)
    at_the_cabin = booking.hold(DEPOSIT, total_minor=TOTAL, balance_on_arrival=True)
    await paid_online(processor, api, at_the_cabin.code, DEPOSIT)
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    results = [await balances.get(r.code) for r in (paid, at_the_cabin, held)]
    assert [(b.due_minor, b.payment_url) for b in results] == [(0, ""), (TOTAL - DEPOSIT, ""), (TOTAL, "")]
    assert api.preferences == []


async def test_a_cancelled_stay_owes_nothing_and_shows_what_it_overpaid(
    processor: Processor, balances: Balances, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)  # a duplicate
    booking.reservations[held.code] = replace(held, status="cancelled")
    got = await balances.get(held.code)
    assert (got.paid_minor, got.due_minor, got.overpaid_minor, got.if_cancelled_now) == (
        TOTAL + DEPOSIT,
        0,
        DEPOSIT,
        None,
    )


async def test_mercado_pago_down_leaves_the_link_for_later(
    processor: Processor, balances: Balances, api: FakeMercadoPago, booking: FakeBooking
) -> None:
    held = booking.hold(DEPOSIT, total_minor=TOTAL)
    await paid_online(processor, api, held.code, DEPOSIT)
    api.failures = [503]
    down = await balances.get(held.code)
    assert (down.due_minor, down.payment_url) == (TOTAL - DEPOSIT, "")
    assert (await balances.get(held.code)).payment_url  # back: made now


async def test_the_deposit_link_shows_the_policy_before_paying() -> None:
    held = FakeBooking().hold()
    body = preference(held, PUBLIC_URL, "")
    assert body["metadata"] == {"kind": "deposit"}
    assert body["items"][0]["description"] == (
        "Política de cancelación: Si cancelás con 15 días o más de anticipación te devolvemos el 100 % de lo"
        " que pagaste; de 7 a 14 días, el 50 %; con menos de 7 días, nada."
    )


async def test_payments_of_other_currencies_or_statuses_are_not_paid(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        for external_id, status, currency in [
            ("a", "approved", "ARS"),
            ("b", "rejected", "ARS"),
            ("c", "approved", "USD"),
        ]:
            await store.lock_payment(conn, external_id)
            await conn.execute(
                "UPDATE payments SET reservation_code = 'R', status = $2, currency = $3, amount_minor = 5 WHERE external_id = $1",
                external_id,
                status,
                currency,
            )
        assert await store.paid_minor(conn, "R", "ARS") == 5
        assert await store.paid_minor(conn, "R", "ARS", excluding="a") == 0
