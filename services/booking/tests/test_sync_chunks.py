"""A sync applied in chunks (tests/hardening/test_05_outbox_lock.py) gives what one transaction gives:
random feeds (blocks kept, moved, dropped and added, overlapping one another and direct holds) synced
with `blocks.CHUNK` of 1, 2 and 5 against a CHUNK no set reaches, in a schema of its own, while a
guest tries to hold the nights the sync touches before each of its transactions."""

import contextlib
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.booking import blocks, cabins, holds
from services.booking.blocks import Block, _overlapping, _packed
from services.booking.locks import CabinLocks
from services.booking.tests.helpers import day
from services.common.errors import DomainError
from tests.stack import Infra
from testsupport.db import scratch_schema

MIGRATIONS = Path(__file__).parent.parent / "migrations"
WHOLE = 10**6  # one transaction
NO_LOCKS = CabinLocks(None)


def _n(a: int, b: int) -> tuple[date, date]:
    return date(2030, 1, a), date(2030, 1, b)


def test_changes_whose_nights_overlap_are_grouped() -> None:
    nights = [
        [_n(1, 3)],
        [_n(3, 4)],  # touches the first: no night in common
        [_n(2, 5)],  # overlaps both
        [_n(10, 11), _n(20, 22)],  # a move: links what overlaps either end
        [_n(21, 23)],
        [_n(12, 13)],
    ]
    assert _overlapping(nights) == [[0, 1, 2], [3, 4], [5]]
    assert _overlapping([[_n(1, 2)], [_n(2, 3)]]) == [[0], [1]]


def test_groups_are_packed_up_to_the_size_and_never_split() -> None:
    assert _packed([[0, 4], [1], [2, 3], [5]], 3) == [[0, 1, 4], [2, 3, 5]]
    assert _packed([[0, 1, 2, 3], [4]], 2) == [[0, 1, 2, 3], [4]]


@pytest.fixture
async def pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    async with scratch_schema(infra.postgres.url, "booking", MIGRATIONS) as scratch:
        yield scratch


Feed = list[tuple[str, int, int]]  # (uid, first night, nights), days from day(40)


def _scenario(seed: int) -> tuple[list[int], Feed, Feed]:
    """Direct holds (their first nights), a first feed and the next one."""
    rng = random.Random(seed)
    direct = sorted(rng.sample(range(0, 60, 6), 3))
    first = [(f"u{i}", rng.randrange(60), rng.randint(1, 4)) for i in range(25)]
    second: Feed = []
    for uid, start, nights in first:
        fate = rng.random()
        if fate < 0.3:
            second.append((uid, start, nights))
        elif fate < 0.6:
            second.append((uid, rng.randrange(60), rng.randint(1, 4)))
    second += [(f"n{i}", rng.randrange(60), rng.randint(1, 4)) for i in range(20)]
    rng.shuffle(second)
    return direct, first, second


def _feed(feed: Feed) -> list[Block]:
    return [Block(uid, day(40 + start), day(40 + start + nights)) for uid, start, nights in feed]


class Meddler(CabinLocks):
    """Before each of a sync's transactions a guest tries to hold each stay of both feeds: nights a
    sync frees for another of its blocks must never be found free in between (the first attempts,
    before any change, are the same however the sync is chunked)."""

    def __init__(self, pool: asyncpg.Pool, stays: list[Block]) -> None:
        super().__init__(None)
        self.pool, self.stays = pool, stays

    @asynccontextmanager
    async def hold(self, accommodation_id: int) -> AsyncIterator[bool]:
        for stay in self.stays:
            guest = holds.HoldRequest(accommodation_id, stay.check_in, stay.check_out, 2, "Eva", "+5491166666666")
            with contextlib.suppress(DomainError):  # taken
                await holds.pre_reserve(
                    self.pool, NO_LOCKS, holds.Cabins(), guest, timedelta(hours=1), holds.Caps(0, 0)
                )
        yield False


async def _outcome(pool: asyncpg.Pool, scenario: tuple[list[int], Feed, Feed], chunk: int, monkeypatch: Any) -> Any:
    """What the second sync of a fresh cabin does with CHUNK = `chunk`, with codes named by
    UID (blocks) or first night (holds), and how many transactions wrote its events (the
    meddler's holds left out)."""
    direct, first, second = scenario
    cabin = await cabins.create(
        pool, {"name": f"Cabaña {uuid.uuid4().hex[:8]}", "capacity": 4, "base_price_minor": 1000}
    )
    cabin_id = int(cabin["id"])
    for start in direct:
        stay = holds.HoldRequest(cabin_id, day(40 + start), day(42 + start), 2, "Ana", "+5491155555555")
        await holds.pre_reserve(pool, NO_LOCKS, holds.Cabins(), stay, timedelta(hours=1), holds.Caps(0, 0))
    monkeypatch.setattr(blocks, "CHUNK", WHOLE)
    await blocks.sync(pool, NO_LOCKS, cabin_id, "airbnb", _feed(first), False)
    async with pool.acquire() as conn:
        mark = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
    monkeypatch.setattr(blocks, "CHUNK", chunk)
    meddler = Meddler(pool, _feed(first) + _feed(second))
    result = await blocks.sync(pool, meddler, cabin_id, "airbnb", _feed(second), False)
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM reservations WHERE accommodation_id = $1", cabin_id)
        events = await conn.fetch(
            "SELECT type, payload->>'code' AS code, payload->'conflict'->>'uid' AS uid, xmin::text AS tx FROM outbox"
            " WHERE id > $1 AND (payload->>'accommodation_id')::bigint = $2 AND type <> 'reservation.pre_reserved'",
            mark,
            cabin_id,
        )
    name = {r["code"]: r["external_uid"] or f"hold {r['check_in']}" for r in rows}
    conflicts = [{**c, "reservation_code": name.get(c["reservation_code"], "")} for c in result.conflicts]
    present = {r["external_uid"]: (r["check_in"], r["check_out"]) for r in rows if r["status"] == "blocked"}
    written = sorted((e["type"], name[e["code"]], e["uid"] or "") for e in events)
    counts = (result.created, result.updated, result.removed, result.unchanged)
    return (counts, conflicts, present, written), len({e["tx"] for e in events})


@pytest.mark.parametrize("seed", range(5))
async def test_a_chunked_sync_is_the_one_transaction_sync(pool: asyncpg.Pool, seed: int, monkeypatch: Any) -> None:
    scenario = _scenario(seed)
    whole, one_transaction = await _outcome(pool, scenario, WHOLE, monkeypatch)
    counts, conflicts, _, _ = whole
    assert one_transaction == 1 and counts[2] > 0 and conflicts  # removals and conflicts to get right
    for chunk in (1, 2, 5):
        chunked, transactions = await _outcome(pool, scenario, chunk, monkeypatch)
        assert chunked == whole, f"CHUNK={chunk}"
        assert transactions > 1
