"""Payments' unit fixtures: a migrated schema of its own on the session's Postgres (the
stack's payments service uses `payments` on the same server), the fakes, a Processor."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from services.common.db import create_pool, migrate
from services.payments.mercadopago import MercadoPago
from services.payments.notifications import Processor
from services.payments.tests.fakes import FakeBooking, FakeMercadoPago

MIGRATIONS = Path(__file__).parent.parent / "migrations"
RETRY_BASE_SECONDS = 0.2


@pytest.fixture
async def pool(infra) -> AsyncIterator[asyncpg.Pool]:  # infra: the embedded servers of tests/stack.py
    schema = f"payments_test_{uuid.uuid4().hex[:8]}"
    pool = await create_pool(infra.postgres.url, schema, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn, schema, MIGRATIONS)
    yield pool
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    await pool.close()


@pytest.fixture
def api() -> Iterator[FakeMercadoPago]:
    with FakeMercadoPago() as fake:
        yield fake


@pytest.fixture
async def mp(api: FakeMercadoPago) -> AsyncIterator[MercadoPago]:
    client = MercadoPago(api.url, "TEST-token", attempts=1)  # one attempt: a failure shows at once
    yield client
    await client.close()


@pytest.fixture
def booking() -> FakeBooking:
    return FakeBooking()


@pytest.fixture
def processor(pool: asyncpg.Pool, mp: MercadoPago, booking: FakeBooking) -> Processor:
    return Processor(pool, mp, booking, retry_base=RETRY_BASE_SECONDS)
