"""The caps on open holds (per guest phone, per API client) against a real Postgres, in a
schema of its own: what counts as open, and racing holds never pass a cap. No cabin lock
(Redis) here, so nothing but the caps' own locking serialises the racers."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from services.booking import cabins, holds
from services.booking.locks import CabinLocks
from services.booking.tests.helpers import day
from services.common.db import create_pool
from services.common.errors import DomainError
from tests.stack import Infra
from testsupport.db import scratch_schema

MIGRATIONS = Path(__file__).parent.parent / "migrations"
CAPS = holds.Caps(per_phone=3, per_client=5)
TTL = timedelta(minutes=30)


@pytest.fixture
async def pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    """A migrated schema with a pool wide enough for every racer to hold a connection at once."""
    async with scratch_schema(infra.postgres.url, "booking", MIGRATIONS) as scratch:
        schema = await scratch.fetchval("SELECT current_schema()")
        wide = await create_pool(infra.postgres.url, schema, max_size=12)
        yield wide
        await wide.close()


@pytest.fixture
async def cabin_id(pool: asyncpg.Pool) -> int:
    cabin = await cabins.create(
        pool, {"name": "Cabaña Tope", "capacity": 4, "base_price_minor": 1000, "max_nights": 60}
    )
    return int(cabin["id"])


def _phone() -> str:
    return "+549" + str(uuid.uuid4().int)[:10]


def _request(cabin_id: int, n: int, phone: str, client: str = "", channel: str = "web") -> holds.HoldRequest:
    """The n-th stay of a series that never overlap: only the caps can refuse them."""
    return holds.HoldRequest(
        accommodation_id=cabin_id,
        check_in=day(40 + 3 * n),
        check_out=day(42 + 3 * n),
        guests=2,
        guest_name="Ana",
        guest_phone=phone,
        channel=channel,
        client_id=client,
    )


async def _hold(pool: asyncpg.Pool, req: holds.HoldRequest) -> asyncpg.Record:
    row, _, _ = await holds.pre_reserve(pool, CabinLocks(None), holds.Cabins(), req, TTL, CAPS)
    return row


async def _refusal(pool: asyncpg.Pool, req: holds.HoldRequest) -> DomainError:
    with pytest.raises(DomainError) as info:
        await _hold(pool, req)
    return info.value


async def test_a_phone_has_at_most_three_open_holds_on_any_channel(pool: asyncpg.Pool, cabin_id: int) -> None:
    phone = _phone()
    await _hold(pool, _request(cabin_id, 0, phone, channel="whatsapp"))  # the bot's holds count too
    await _hold(pool, _request(cabin_id, 1, phone, client="198.51.100.1"))
    await _hold(pool, _request(cabin_id, 2, phone, client="198.51.100.2"))
    refused = await _refusal(pool, _request(cabin_id, 3, phone, client="198.51.100.3"))
    assert (refused.reason, refused.details) == ("TOO_MANY_OPEN_HOLDS", {"scope": "phone", "limit": "3"})
    assert "3 reservas sin pagar" in refused.message
    await _hold(pool, _request(cabin_id, 3, _phone(), client="198.51.100.3"))  # another phone is not capped


async def test_paid_cancelled_and_run_out_holds_are_not_open(pool: asyncpg.Pool, cabin_id: int) -> None:
    phone = _phone()
    codes = [(await _hold(pool, _request(cabin_id, n, phone)))["code"] for n in range(3)]
    await holds.confirm(pool, codes[0], "paid")
    await holds.cancel(pool, codes[1], "changed plans", "guest")
    async with pool.acquire() as conn:
        await conn.execute("UPDATE reservations SET expires_at = now() - interval '1 second' WHERE code = $1", codes[2])
    for n in range(3, 6):  # three open again, no more
        await _hold(pool, _request(cabin_id, n, phone))
    assert (await _refusal(pool, _request(cabin_id, 6, phone))).details["scope"] == "phone"


async def test_a_client_has_at_most_five_open_holds(pool: asyncpg.Pool, cabin_id: int) -> None:
    client = f"client-{uuid.uuid4().hex}"
    for n in range(5):
        row = await _hold(pool, _request(cabin_id, n, _phone(), client=client))
        assert row["client_id"] == client
    refused = await _refusal(pool, _request(cabin_id, 5, _phone(), client=client))
    assert (refused.reason, refused.details) == ("TOO_MANY_OPEN_HOLDS", {"scope": "client", "limit": "5"})
    await _hold(pool, _request(cabin_id, 5, _phone(), client=f"client-{uuid.uuid4().hex}"))


async def test_without_a_client_or_with_no_cap_nothing_is_counted(pool: asyncpg.Pool, cabin_id: int) -> None:
    for n in range(6):  # the bot's holds name no client: only the phone cap applies to them
        await _hold(pool, _request(cabin_id, n, _phone(), channel="whatsapp"))
    phone, uncapped = _phone(), holds.Caps(per_phone=0, per_client=0)
    for n in range(6, 11):
        await holds.pre_reserve(
            pool, CabinLocks(None), holds.Cabins(), _request(cabin_id, n, phone, client="x"), TTL, uncapped
        )


async def _race(pool: asyncpg.Pool, requests: list[holds.HoldRequest]) -> list[str]:
    outcomes = await asyncio.gather(*(_hold(pool, r) for r in requests), return_exceptions=True)
    unexpected = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, DomainError)]
    assert not unexpected, unexpected
    return [o.details["scope"] if isinstance(o, DomainError) else "held" for o in outcomes]


async def test_eight_racing_holds_of_one_phone_three_win(pool: asyncpg.Pool, cabin_id: int) -> None:
    phone = _phone()
    outcomes = await _race(pool, [_request(cabin_id, n, phone, client=f"c{n}") for n in range(8)])
    assert sorted(outcomes) == ["held"] * 3 + ["phone"] * 5


async def test_eight_racing_holds_of_one_client_five_win(pool: asyncpg.Pool, cabin_id: int) -> None:
    client = f"client-{uuid.uuid4().hex}"
    outcomes = await _race(pool, [_request(cabin_id, n, _phone(), client=client) for n in range(8)])
    assert sorted(outcomes) == ["client"] * 3 + ["held"] * 5


async def test_racing_holds_of_two_phones_from_one_client_pass_neither_cap(pool: asyncpg.Pool, cabin_id: int) -> None:
    """Both locks taken by each racer (phone before client): no deadlock, and of six holds per
    phone (three would pass each phone's cap) the client's cap lets five through in all."""
    client, phones = f"client-{uuid.uuid4().hex}", [_phone(), _phone()]
    requests = [_request(cabin_id, n, phones[n % 2], client=client) for n in range(12)]
    outcomes = await _race(pool, requests)
    assert outcomes.count("held") == 5 and set(outcomes) <= {"held", "phone", "client"}
    held = await pool.fetch("SELECT guest_phone FROM reservations WHERE client_id = $1", client)
    assert len(held) == 5 and all(sum(r["guest_phone"] == p for r in held) <= 3 for p in phones)
