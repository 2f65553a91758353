"""The worker against a real Postgres (a messaging schema of its own) and Redis, over an in-memory
booking and payments: a message that keeps failing is dead-lettered after `max_attempts` failures
of its own, with one apology, and the guest's next messages go on; while booking or payments is
down a message waits however long it takes."""

import json
import uuid
from datetime import date
from typing import Any

import asyncpg
import redis.asyncio as aioredis
from prometheus_client import REGISTRY

from services.common.errors import unavailable
from services.messaging import store
from services.messaging import templates as t
from services.messaging.conversations import Sender, Worker
from services.messaging.ports import Availability, Cabin
from services.messaging.tests.test_dialog import FakeBackend
from services.messaging.whatsapp import Inbound


class FlakyBackend(FakeBackend):
    """The in-memory booking, down (UNAVAILABLE, as `downstream` says it) while `down` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def cabins(self) -> list[Cabin]:
        if self.down:
            raise unavailable("UNAVAILABLE", "booking did not answer")
        return await super().cabins()


class BrokenBackend(FakeBackend):
    """An in-memory booking whose availability answer breaks the dialog every time (a bug, not an outage)."""

    async def offers(self, check_in: date, check_out: date, guests: int) -> Availability:
        raise RuntimeError("a bug in the availability answer")


async def _deaf(msg: Inbound) -> tuple[str, float]:
    raise AssertionError("no voice notes here")


def _worker(pool: asyncpg.Pool, redis: aioredis.Redis, backend: FakeBackend, max_attempts: int = 3) -> Worker:
    return Worker(pool, redis, backend, True, Sender(pool, None), _deaf, 0.5, max_attempts)


def _message(phone: str, body: str, **payload: Any) -> Inbound:
    wamid = f"wamid.{uuid.uuid4().hex}"
    return Inbound(wamid, phone, "Ana", "text", body, None, {"id": wamid, "text": {"body": body}, **payload})


async def _passes(worker: Worker, pool: asyncpg.Pool, phone: str, n: int) -> None:
    """`n` passes over the guest's messages, each due at once (no waiting out the retry delay)."""
    for _ in range(n):
        async with pool.acquire() as conn:
            await conn.execute("UPDATE inbox SET next_attempt_at = now() WHERE phone = $1", phone)
        await worker.run_once()


async def _replies(pool: asyncpg.Pool, phone: str) -> list[str]:
    async with pool.acquire() as conn:
        return [r["text"] for r in await store.outbox(conn, phone, 0, 100)]


async def _row(pool: asyncpg.Pool, wamid: str) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM inbox WHERE wamid = $1", wamid)
    assert row is not None
    return row


def _dead_letters() -> float:
    return REGISTRY.get_sample_value("messaging_dead_letters_total") or 0.0


async def test_a_failing_message_is_dead_lettered_with_one_apology_and_the_next_goes_on(
    pool: asyncpg.Pool, redis: aioredis.Redis
) -> None:
    phone = "549" + str(uuid.uuid4().int)[:10]
    worker = _worker(pool, redis, BrokenBackend())
    poison = _message(phone, "hay lugar del 10 al 12 de enero para 2?")  # the dialog asks for offers
    after = _message(phone, "ayuda")
    async with pool.acquire() as conn:
        await store.store_inbound(conn, [poison, after], "")
    before = _dead_letters()

    await _passes(worker, pool, phone, 2)
    assert await _replies(pool, phone) == []  # retried, and the next message waits behind it
    row = await _row(pool, poison.wamid)
    assert (row["attempts"], row["failures"], row["processed_at"]) == (2, 2, None)

    await _passes(worker, pool, phone, 3)
    assert await _replies(pool, phone) == [t.SORRY, t.HELP]  # one apology, then the next message answered
    row = await _row(pool, poison.wamid)
    assert row["failures"] == 3 and row["dead_lettered_at"] is not None and row["processed_at"] is not None
    assert row["last_error"].startswith("RuntimeError: ")
    assert (await _row(pool, after.wamid))["dead_lettered_at"] is None
    assert _dead_letters() == before + 1
    async with pool.acquire() as conn:
        assert await store.backlog(conn) == (0, 0)  # nothing left to do (the sandbox sends nothing)


async def test_a_dead_letter_forgets_the_dialog_state_that_may_be_what_fails(
    pool: asyncpg.Pool, redis: aioredis.Redis
) -> None:
    phone = "549" + str(uuid.uuid4().int)[:10]
    await redis.set(f"messaging:dialog:{phone}", json.dumps({"check_in": "15/12"}))  # not a date the dialog reads
    worker = _worker(pool, redis, FakeBackend(), max_attempts=1)
    first, second = _message(phone, "somos 2"), _message(phone, "somos 3")
    async with pool.acquire() as conn:
        await store.store_inbound(conn, [first, second], "")
    await _passes(worker, pool, phone, 1)
    assert await _replies(pool, phone) == [t.SORRY, t.ASK_DATES]  # asked afresh
    assert json.loads(await redis.get(f"messaging:dialog:{phone}") or "{}")["guests"] == 3
    assert (await _row(pool, first.wamid))["last_error"].startswith("ValueError: ")


async def test_while_booking_is_down_a_message_waits_however_long(pool: asyncpg.Pool, redis: aioredis.Redis) -> None:
    phone = "549" + str(uuid.uuid4().int)[:10]
    backend = FlakyBackend()
    backend.down = True
    worker = _worker(pool, redis, backend, max_attempts=2)
    msg = _message(phone, "ayuda")
    async with pool.acquire() as conn:
        await store.store_inbound(conn, [msg], "")
    await _passes(worker, pool, phone, 4)
    row = await _row(pool, msg.wamid)
    assert (row["attempts"], row["failures"], row["dead_lettered_at"]) == (4, 0, None)
    assert row["last_error"] == "DomainError: booking did not answer"
    backend.down = False
    await _passes(worker, pool, phone, 1)
    assert await _replies(pool, phone) == [t.HELP]
    assert (await _row(pool, msg.wamid))["processed_at"] is not None
