"""14. Small ones: the notifier loops die on `InterfaceError`/`TimeoutError` while health stays SERVING.

The loops outlived DomainError, OSError and PostgresError only: asyncpg's InterfaceError (a
connection lost mid-query, a pool closing) is none of them, and nor is a bug, so one such failure
ended the loop for good: no confirmation, payment or reminder message went out again, while the
service answered SERVING. Now each loop (follow_booking, follow_payments, remind) logs the failure,
waits (notify.RETRY_FIRST, doubling up to RETRY_MAX) and goes on from its cursor.

Booking's and payments' streams are a fake of the `ports.Feeds` port that fails as a lost
connection does before it answers; the messages are queued in a real Postgres schema."""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, cast

import asyncpg
import pytest

from services.common.errors import unavailable
from services.common.settings import Settings
from services.messaging import notify
from services.messaging.notify import Notifier
from services.messaging.ports import Balance, BookingEvent, Cabin, Held, PaymentEvent
from services.messaging.tests.test_notify import _held
from tests.stack import Infra
from testsupport.db import scratch_schema

MIGRATIONS = Path(__file__).parents[2] / "services" / "messaging" / "migrations"


def failures() -> list[BaseException]:
    """What a pass meets when Postgres or a service goes away, and a plain bug."""
    return [
        asyncpg.InterfaceError("connection was closed in the middle of operation"),
        TimeoutError(),
        ConnectionResetError("connection reset by peer"),
        unavailable("UNAVAILABLE", "booking did not answer"),
        RuntimeError("a bug in one pass"),
    ]


class FailingFeeds:
    """ports.Feeds: every call fails with the next of `failures()` until none is left, then answers."""

    def __init__(self, held: Held) -> None:
        self.held, self.failures, self.calls = held, failures(), 0

    def _fail(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)

    async def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]:
        self._fail()
        if after_id < 1:
            yield BookingEvent(1, "reservation.confirmed", "", self.held)

    async def payment_events(self, after_id: int) -> AsyncIterator[PaymentEvent]:
        self._fail()
        if after_id < 1:
            yield PaymentEvent(1, "payment.rejected", "", self.held.code)

    async def reservation(self, code: str) -> Held | None:
        return self.held if code == self.held.code else None

    async def holds(self) -> list[Held]:
        self._fail()
        return [self.held]

    async def payment_link(self, code: str) -> str:
        return f"https://pago.example/{code}"

    async def cabin(self, cabin_id: int) -> Cabin | None:
        return None

    async def balance(self, code: str) -> Balance | None:
        return None


@pytest.fixture
async def pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    async with scratch_schema(infra.postgres.url, "messaging", MIGRATIONS) as pool:
        yield pool


LOOPS: dict[str, Callable[[Notifier], Callable[[], Coroutine[Any, Any, None]]]] = {
    "follow_booking": lambda n: n.follow_booking,
    "follow_payments": lambda n: n.follow_payments,
    "remind": lambda n: n.remind,
}


@pytest.mark.parametrize("loop", LOOPS)
async def test_each_loop_outlives_lost_connections_timeouts_and_bugs(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, loop: str
) -> None:
    monkeypatch.setattr(notify, "RETRY_FIRST", 0.01)
    feeds = FailingFeeds(_held("whatsapp"))
    task = asyncio.create_task(LOOPS[loop](Notifier(pool, Settings(), feeds, False, lambda: None))())
    try:
        async with asyncio.timeout(10):
            while not await _queued(pool, feeds.held.phone):
                assert not task.done(), f"the loop stopped: {task.exception()!r}"  # was: on InterfaceError
                await asyncio.sleep(0.02)
        assert not feeds.failures and not task.done()
    finally:
        task.cancel()
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == notify.__name__)
    for name in ("InterfaceError", "TimeoutError", "ConnectionResetError", "DomainError"):
        assert name in logged
    assert any(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in caplog.records)  # with its traceback


def test_failed_passes_wait_longer_and_longer_up_to_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 14:
            raise asyncio.CancelledError

    async def one_pass() -> None:
        if len(waits) in (3, 4):
            return  # two passes that work in the middle
        raise asyncpg.InterfaceError("pool is closed")

    monkeypatch.setattr(asyncio, "sleep", sleep)
    notifier = Notifier(cast(asyncpg.Pool, None), Settings(), FailingFeeds(_held("whatsapp")), False, lambda: None)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(notifier.forever("test", one_pass, 30))
    first, top = notify.RETRY_FIRST, notify.RETRY_MAX
    doubling = [first * 2**n for n in range(6)]
    assert waits == [*doubling[:3], 30, 30, *doubling, top, top, top]
    assert 32 * first < top


async def _queued(pool: asyncpg.Pool, phone: str) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE phone = $1", phone))
