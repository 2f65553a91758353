"""A migrated schema of its own on the session's embedded Postgres, for a service's
store and domain tests: the running stack uses the service's real schema on the same server."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from services.common.db import create_pool, migrate


@asynccontextmanager
async def scratch_schema(url: str, prefix: str, migrations: Path) -> AsyncIterator[asyncpg.Pool]:
    """A pool on `<prefix>_test_<random>`, migrated from `migrations`, dropped afterwards."""
    schema = f"{prefix}_test_{uuid.uuid4().hex[:8]}"
    pool = await create_pool(url, schema, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, schema, migrations)
        yield pool
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()
