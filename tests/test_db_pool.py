"""The services' asyncpg pool: a release costs no reset round trip, unless the connection was
marked as holding session state, and then it is reset in full."""

import uuid

import asyncpg

from services.common.db import create_pool, keeps_session_state
from tests.stack import Infra

LOCK = "SELECT pg_try_advisory_lock(hashtext($1))"


async def _pool(infra: Infra) -> asyncpg.Pool:
    schema = f"p_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    return await create_pool(infra.postgres.url, schema, max_size=1)  # one connection: the next acquire gets it back


async def test_a_marked_connection_is_reset_on_release(infra: Infra) -> None:
    pool, key = await _pool(infra), uuid.uuid4().hex
    try:
        async with pool.acquire() as conn:
            keeps_session_state(conn)
            assert await conn.fetchval(LOCK, key)
            await conn.execute("SET statement_timeout = '123s'")
            pid = await conn.fetchval("SELECT pg_backend_pid()")
        other = await asyncpg.connect(infra.postgres.url)
        try:
            assert await other.fetchval(LOCK, key)  # the session lock went with the reset
        finally:
            await other.close()
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT pg_backend_pid()") == pid
            assert await conn.fetchval("SHOW statement_timeout") == "0"  # the server's default again
            assert (await conn.fetchval("SHOW search_path")).startswith("p_")  # connection settings stay
    finally:
        await pool.close()


async def test_an_unmarked_connection_is_released_without_a_round_trip(infra: Infra) -> None:
    pool = await _pool(infra)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET statement_timeout = '123s'")  # what only a mark would undo
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW statement_timeout") == "123s"
    finally:
        await pool.close()
