"""The embedded servers the project starts itself are real and have what we need."""

import asyncpg
import pytest
import redis

from tests.stack import Infra


async def test_postgres_has_btree_gist_and_enforces_exclusion(infra: Infra) -> None:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        await conn.execute(
            "CREATE TEMP TABLE stays (cabin bigint, period daterange,"
            " EXCLUDE USING gist (cabin WITH =, period WITH &&))"
        )
        await conn.execute("INSERT INTO stays VALUES (1, daterange('2026-01-10', '2026-01-14'))")
        # Back to back is fine; another cabin is fine.
        await conn.execute("INSERT INTO stays VALUES (1, daterange('2026-01-14', '2026-01-16'))")
        await conn.execute("INSERT INTO stays VALUES (2, daterange('2026-01-10', '2026-01-14'))")
        with pytest.raises(asyncpg.ExclusionViolationError):
            await conn.execute("INSERT INTO stays VALUES (1, daterange('2026-01-12', '2026-01-13'))")
    finally:
        await conn.close()


def test_redis_answers(infra: Infra) -> None:
    client = redis.Redis.from_url(infra.redis.url)
    assert client.ping()
    assert client.set("cabanas:test", "ok", nx=True, px=1000)
    assert client.get("cabanas:test") == b"ok"
    client.close()
