"""Messaging's unit fixtures: a migrated schema of its own on the session's Postgres (the stack's
messaging service uses `messaging` on the same server), and a Redis client."""

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis

from tests.stack import Infra
from testsupport.db import scratch_schema

MIGRATIONS = Path(__file__).parent.parent / "migrations"


@pytest.fixture
async def pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    async with scratch_schema(infra.postgres.url, "messaging", MIGRATIONS) as pool:
        yield pool


@pytest.fixture
async def redis(infra: Infra) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(infra.redis.url)
    yield client
    await client.aclose()
