"""The feeds' parser process: reused while parses behave, killed and replaced when one runs past
its time or memory, so that a hostile feed costs at most PARSE_SECONDS and never the service."""

import asyncio
import os
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta

import psutil
import pytest

from services.calendar.ical import FeedError
from services.calendar.sync import Parser

TZ = "America/Argentina/Buenos_Aires"
TODAY = date.today()
FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a@x\r\n"
    f"DTSTART;VALUE=DATE:{TODAY + timedelta(days=3):%Y%m%d}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


@pytest.fixture
async def parser() -> AsyncIterator[Parser]:
    parser = Parser(seconds=2, memory=256 * 2**20)
    yield parser
    parser.close()


def gone(pid: int) -> bool:
    """Whether the process ended (within a few seconds: its reaping is asynchronous)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


async def test_the_worker_is_reused_and_parses_in_its_own_process(parser: Parser) -> None:
    first = await parser.run(os.getpid)
    started = time.perf_counter()
    [event] = await parser.parse(FEED, TZ, TODAY)
    assert event.uid == "a@x" and time.perf_counter() - started < 0.5
    assert await parser.run(os.getpid) == first != os.getpid()


async def test_a_parse_past_the_time_limit_takes_its_worker_and_the_next_gets_a_fresh_one(parser: Parser) -> None:
    worker = await parser.run(os.getpid)
    started = time.perf_counter()
    with pytest.raises(FeedError, match="took over 2 s to parse"):
        await parser.run(time.sleep, 60)
    assert time.perf_counter() - started < 4 and gone(worker)
    assert [e.uid for e in await parser.parse(FEED, TZ, TODAY)] == ["a@x"]
    assert await parser.run(os.getpid) != worker


async def test_a_parse_past_the_memory_limit_fails_and_the_service_is_untouched(parser: Parser) -> None:
    rss = psutil.Process().memory_info().rss
    with pytest.raises(FeedError, match="over 256 MiB"):
        await parser.run(bytearray, 2**30)
    assert psutil.Process().memory_info().rss - rss < 50 * 2**20
    assert [e.uid for e in await parser.parse(FEED, TZ, TODAY)] == ["a@x"]


async def test_a_parse_nobody_waits_for_is_stopped(parser: Parser) -> None:
    worker = await parser.run(os.getpid)
    task = asyncio.create_task(parser.run(time.sleep, 60))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gone(worker)


async def test_a_rule_the_refusals_let_through_is_stopped_by_the_time_limit(parser: Parser) -> None:
    """No instance-count check catches a rule that finds no instance: dateutil walks day by day to
    the year 9999 (about 9 s each here). The time limit does, and parses go on."""
    slow = "".join(
        f"BEGIN:VEVENT\r\nUID:never{i}@x\r\nDTSTART;VALUE=DATE:{TODAY:%Y%m%d}\r\nRRULE:FREQ=DAILY;BYSETPOS=2\r\nEND:VEVENT\r\n"
        for i in range(5)
    )
    with pytest.raises(FeedError, match="took over 2 s to parse"):
        await parser.parse(FEED.replace(b"END:VCALENDAR", slow.encode() + b"END:VCALENDAR"), TZ, TODAY)
    assert len(await parser.parse(FEED, TZ, TODAY)) == 1


async def test_parses_take_turns_so_each_has_its_own_time(parser: Parser) -> None:
    """Two 1.2 s parses at once: each within its 2 s, though together they take 2.4 s."""
    await parser.run(os.getpid)  # started
    assert list(await asyncio.gather(parser.run(time.sleep, 1.2), parser.run(time.sleep, 1.2))) == [None, None]
