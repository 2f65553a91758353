"""Feeds and their syncs against a real Postgres schema of their own, booking as an in-memory
fake of the port and the channels as a local HTTP server."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.calendar import feeds, fetch, store, sync
from services.calendar.ports import Cabin, Conflict
from services.calendar.tests.fakes import FakeBooking
from services.common.errors import DomainError, Kind, unavailable
from testsupport.db import scratch_schema
from testsupport.feeds import FeedServer

MIGRATIONS = Path(__file__).parent.parent / "migrations"
CABIN = Cabin(7, "Cabaña del Lago", "America/Argentina/Buenos_Aires")


def ics(*uids: str) -> bytes:
    start = date.today() + timedelta(days=40)
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{start + timedelta(days=3 * i):%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{start + timedelta(days=3 * i + 2):%Y%m%d}\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\n"
        for i, uid in enumerate(uids)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{events}END:VCALENDAR\r\n".encode()


@pytest.fixture
async def pool(infra) -> AsyncIterator[asyncpg.Pool]:  # infra: the embedded servers of tests/stack.py
    async with scratch_schema(infra.postgres.url, "calendar", MIGRATIONS) as pool:
        yield pool


@pytest.fixture
def booking() -> FakeBooking:
    fake = FakeBooking()
    fake.add(CABIN)
    return fake


@pytest.fixture(scope="module")
def channels() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with fetch.client() as client:
        yield client


async def refused(call: Awaitable[object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    return caught.value


@pytest.mark.parametrize(
    ("url", "source", "reason"),
    [("ftp://x", "airbnb", "INVALID_URL"), ("http://x", "expedia", "INVALID_SOURCE")],
)
async def test_a_feed_needs_an_http_url_and_a_known_source(
    pool: asyncpg.Pool, booking: FakeBooking, url: str, source: str, reason: str
) -> None:
    error = await refused(feeds.add(pool, booking, CABIN.id, url, source))
    assert (error.kind, error.reason) == (Kind.INVALID, reason)


async def test_one_feed_per_cabin_and_source(pool: asyncpg.Pool, booking: FakeBooking) -> None:
    added = await feeds.add(pool, booking, CABIN.id, "http://x/1", "vrbo")
    error = await refused(feeds.add(pool, booking, CABIN.id, "http://x/2", "vrbo"))
    assert (error.kind, error.reason, error.message) == (
        Kind.ALREADY_EXISTS,
        "ALREADY_EXISTS",
        "this cabin already has a feed from that source",
    )
    assert [f["id"] for f in await feeds.listed(pool, CABIN.id)] == [added["id"]]
    assert (await refused(feeds.add(pool, booking, 8, "http://x/3", "vrbo"))).kind == Kind.NOT_FOUND


async def test_a_removed_feed_takes_its_blocks(
    pool: asyncpg.Pool, booking: FakeBooking, http: httpx.AsyncClient, channels: FeedServer
) -> None:
    url = channels.serve(f"/{uuid.uuid4().hex}.ics", body=ics("a@x", "b@x"))
    feed_id = (await feeds.add(pool, booking, CABIN.id, url, "airbnb"))["id"]
    await sync.sync_feed(pool, http, booking, feed_id, force=False)
    assert await feeds.remove(pool, booking, feed_id) == 2
    assert booking.blocks[(CABIN.id, "airbnb")] == [] and await feeds.listed(pool, CABIN.id) == []
    assert (await refused(feeds.remove(pool, booking, feed_id))).kind == Kind.NOT_FOUND


async def test_a_sync_applies_the_feed_and_records_its_conflicts(
    pool: asyncpg.Pool, booking: FakeBooking, http: httpx.AsyncClient, channels: FeedServer
) -> None:
    url = channels.serve(f"/{uuid.uuid4().hex}.ics", body=ics("a@x", "late@x"))
    feed_id = (await feeds.add(pool, booking, CABIN.id, url, "airbnb"))["id"]
    conflict = Conflict(
        uid="late@x",
        check_in="2027-01-10",
        check_out="2027-01-12",
        reservation_code="RES1",
        source="airbnb",
        reservation_check_in="2027-01-09",
        reservation_check_out="2027-01-11",
    )
    booking.conflicts = [conflict]
    result = await sync.sync_feed(pool, http, booking, feed_id, force=False)
    assert (result.status, result.counts["created"], result.counts["events"]) == ("ok", 1, 2)
    assert result.conflicts == [conflict]
    async with pool.acquire() as conn:
        row = await store.feed(conn, feed_id)
        runs = await conn.fetch("SELECT status, created, conflicts FROM sync_runs WHERE feed_id = $1", feed_id)
    assert row is not None and (row["last_status"], row["events_count"], row["conflicts"]) == ("ok", 2, [conflict])
    assert [tuple(r) for r in runs] == [("ok", 1, 1)]


async def test_booking_down_fails_the_sync_and_keeps_the_blocks(
    pool: asyncpg.Pool, booking: FakeBooking, http: httpx.AsyncClient, channels: FeedServer
) -> None:
    url = channels.serve(f"/{uuid.uuid4().hex}.ics", body=ics("a@x"))
    feed_id = (await feeds.add(pool, booking, CABIN.id, url, "airbnb"))["id"]
    assert (await sync.sync_feed(pool, http, booking, feed_id, force=False)).status == "ok"
    booking.failure = unavailable("UNAVAILABLE", "booking did not answer")
    result = await sync.sync_feed(pool, http, booking, feed_id, force=True)
    assert (result.status, result.error) == ("failed", "booking: UNAVAILABLE booking did not answer")
    assert [e.uid for e in booking.blocks[(CABIN.id, "airbnb")]] == ["a@x"]
    async with pool.acquire() as conn:
        row = await store.feed(conn, feed_id)
    assert row is not None and row["last_status"] == "failed" and row["last_success_at"] is not None


async def test_sync_all_skips_nothing_and_an_unknown_feed_is_not_found(
    pool: asyncpg.Pool, booking: FakeBooking, http: httpx.AsyncClient, channels: FeedServer
) -> None:
    for source in ("airbnb", "booking"):
        url = channels.serve(f"/{uuid.uuid4().hex}.ics", body=ics(f"{source}@x"))
        await feeds.add(pool, booking, CABIN.id, url, source)
    assert [r.status for r in await sync.sync_all(pool, http, booking)] == ["ok", "ok"]
    assert (await refused(sync.sync_feed(pool, http, booking, 10**9, force=False))).kind == Kind.NOT_FOUND
