"""Payments' unit fixtures: a migrated schema of its own on the session's Postgres (the
stack's payments service uses `payments` on the same server), the fakes, a Processor."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from services.payments.mercadopago import MercadoPago
from services.payments.notifications import Processor
from services.payments.tests.fakes import FakeBooking, FakeMercadoPago
from testsupport.db import scratch_schema

MIGRATIONS = Path(__file__).parent.parent / "migrations"
RETRY_BASE_SECONDS = 0.2


@pytest.fixture
async def pool(infra) -> AsyncIterator[asyncpg.Pool]:  # infra: the embedded servers of tests/stack.py
    async with scratch_schema(infra.postgres.url, "payments", MIGRATIONS) as pool:
        yield pool


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
