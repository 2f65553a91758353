"""The outbox feed under a burst of writes: every event once and in order, in a bounded number
of reads (services/common/outbox.py), on the session's real Postgres."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.common import outbox
from tests.stack import Infra

WRITES = 200


@pytest.fixture
async def table(infra: Infra) -> AsyncIterator[tuple[asyncpg.Pool, str]]:
    name = f"feed_{uuid.uuid4().hex[:8]}"
    pool = await asyncpg.create_pool(infra.postgres.url, min_size=1, max_size=4)
    await pool.execute(f"CREATE TABLE {name} (id bigserial PRIMARY KEY, wanted boolean NOT NULL)")
    try:
        yield pool, name
    finally:
        await pool.execute(f"DROP TABLE {name}")
        await pool.close()


async def test_a_burst_of_writes_is_read_whole_in_few_reads(infra: Infra, table: tuple[asyncpg.Pool, str]) -> None:
    pool, name = table
    feed = outbox.Feed(infra.postgres.url, name)
    reads = 0

    async def fetch(conn: asyncpg.Connection, after_id: int, limit: int) -> list[asyncpg.Record]:
        nonlocal reads
        reads += 1
        return await conn.fetch(
            f"SELECT id AS event_id, wanted FROM {name} WHERE id > $1 ORDER BY id LIMIT $2", after_id, limit
        )

    async def write() -> None:
        for i in range(WRITES):  # one transaction each, as holds are, a wake-up each
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(f"INSERT INTO {name} (wanted) VALUES ($1)", i % 4 == 0)
                await conn.execute("SELECT pg_notify($1, '')", name)

    seen: list[int] = []

    async def follow() -> None:
        async for row in feed.stream(pool, fetch, 0, follow=True):
            seen.append(row["event_id"])
            if len(seen) == WRITES // 4:
                return

    loop = asyncio.get_running_loop()
    reader = asyncio.create_task(follow())
    await asyncio.sleep(0.2)  # the reader is tailing, its listener connected
    started, before = loop.time(), reads
    await write()
    async with asyncio.timeout(10):
        await reader
    await feed.close()
    elapsed = loop.time() - started

    assert seen == list(range(1, WRITES + 1, 4))  # the wanted ones, each once, in order
    # At most one read per READ_EVERY_SECONDS (and the one a notify ends the last wait with), not one a write.
    assert reads - before <= elapsed / outbox.READ_EVERY_SECONDS + 2 < WRITES / 2
