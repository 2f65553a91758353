"""Date changes racing other writers for the same nights, against a real Postgres in a schema of
its own and without the cabin lock (no Redis): only the exclusion constraint decides, and exactly
one contender wins."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from services.booking import cabins, holds, owner
from services.booking.locks import CabinLocks
from services.booking.tests.helpers import day
from services.common.db import create_pool
from services.common.errors import DomainError
from tests.stack import Infra
from testsupport.db import scratch_schema

MIGRATIONS = Path(__file__).parent.parent / "migrations"
NO_LOCK = CabinLocks(None)
CAPS = holds.Caps(per_phone=0, per_client=0)
TTL = timedelta(minutes=30)
ROUNDS = 5


@pytest.fixture
async def pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    async with scratch_schema(infra.postgres.url, "booking", MIGRATIONS) as scratch:
        schema = await scratch.fetchval("SELECT current_schema()")
        wide = await create_pool(infra.postgres.url, schema, max_size=8)
        yield wide
        await wide.close()


@pytest.fixture
async def cabin_id(pool: asyncpg.Pool) -> int:
    cabin = await cabins.create(pool, {"name": "Cabaña Carrera", "capacity": 4, "base_price_minor": 1000})
    return int(cabin["id"])


def _request(cabin_id: int, start: int, end: int) -> holds.HoldRequest:
    return holds.HoldRequest(cabin_id, day(start), day(end), 2, "Ana", "+5491155555555")


async def _hold(pool: asyncpg.Pool, cabin_id: int, start: int, end: int) -> asyncpg.Record:
    row, _, _ = await holds.pre_reserve(pool, NO_LOCK, holds.Cabins(), _request(cabin_id, start, end), TTL, CAPS)
    return row


async def _move(pool: asyncpg.Pool, code: str, start: int, end: int) -> asyncpg.Record:
    return await owner.change_dates(
        pool, NO_LOCK, code, day(start), day(end), owner.PricePolicy.REPRICE, None, "user:1"
    )


def _outcome(results: Sequence[object]) -> tuple[int, list[str]]:
    """How many won, and the reasons of the others."""
    refused = [r.reason for r in results if isinstance(r, DomainError)]
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]
    assert not unexpected, unexpected
    return len(results) - len(refused), refused


async def _holding(pool: asyncpg.Pool, cabin_id: int, start: int, end: int) -> int:
    async with pool.acquire() as conn:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM reservations WHERE accommodation_id = $1 AND period && daterange($2, $3)"
            " AND status IN ('pre_reserved', 'confirmed', 'blocked')",
            cabin_id,
            day(start),
            day(end),
        )
    return count


async def test_two_moves_onto_the_same_nights_one_wins(pool: asyncpg.Pool, cabin_id: int) -> None:
    for n in range(ROUNDS):
        base = 40 + 20 * n
        first, second = await _hold(pool, cabin_id, base, base + 2), await _hold(pool, cabin_id, base + 4, base + 6)
        results = await asyncio.gather(
            _move(pool, first["code"], base + 10, base + 12),
            _move(pool, second["code"], base + 11, base + 13),
            return_exceptions=True,
        )
        assert _outcome(results) == (1, ["DATES_UNAVAILABLE"])
        assert await _holding(pool, cabin_id, base + 10, base + 13) == 1
        assert await _holding(pool, cabin_id, base, base + 6) == 1  # the loser kept its nights


async def test_a_move_and_a_new_hold_on_the_same_nights_one_wins(pool: asyncpg.Pool, cabin_id: int) -> None:
    for n in range(ROUNDS):
        base = 40 + 20 * n
        mine = await _hold(pool, cabin_id, base, base + 2)
        results = await asyncio.gather(
            _move(pool, mine["code"], base + 10, base + 12),
            _hold(pool, cabin_id, base + 11, base + 13),
            return_exceptions=True,
        )
        assert _outcome(results) == (1, ["DATES_UNAVAILABLE"])
        assert await _holding(pool, cabin_id, base + 10, base + 13) == 1


async def test_run_out_holds_expire_by_the_system(pool: asyncpg.Pool, cabin_id: int) -> None:
    gone = await _hold(pool, cabin_id, 40, 42)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE reservations SET expires_at = now() - interval '1 minute' WHERE id = $1", gone["id"])
    with pytest.raises(DomainError) as refused:
        await _move(pool, gone["code"], 50, 52)
    assert refused.value.reason == "HOLD_EXPIRED"
    assert await holds.expire_due(pool) == [gone["code"]]
    entries = await owner.history(pool, gone["id"])
    assert [(e["actor"], e["action"]) for e in entries] == [("guest", "created"), ("system", "expired")]
