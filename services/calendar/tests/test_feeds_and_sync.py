"""Feeds and their syncs against a real Postgres schema of their own, booking as an in-memory
fake of the port and the channels as a local HTTP server."""

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.calendar import feeds, fetch, ical, store, sync
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


def series(uid: str, rule: str) -> str:
    start = date.today() + timedelta(days=90)
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{start:%Y%m%d}\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"


def with_events(feed: bytes, *events: str) -> bytes:
    return feed.replace(b"END:VCALENDAR", "".join(events).encode() + b"END:VCALENDAR")


EVERY_MINUTE = "FREQ=DAILY;BYHOUR={};BYMINUTE={}".format(",".join(map(str, range(24))), ",".join(map(str, range(60))))


async def two_feeds(pool: asyncpg.Pool, booking: FakeBooking, channels: FeedServer) -> tuple[str, str]:
    """An airbnb feed (a@x) and a booking.com one (b@x) of CABIN, synced; their paths."""
    paths = f"/{uuid.uuid4().hex}.ics", f"/{uuid.uuid4().hex}.ics"
    for path, source, uid in zip(paths, ("airbnb", "booking"), ("a@x", "b@x"), strict=True):
        await feeds.add(pool, booking, CABIN.id, channels.serve(path, body=ics(uid)), source)
    return paths


def blocks(booking: FakeBooking, source: str) -> list[str]:
    return sorted(e.uid for e in booking.blocks[(CABIN.id, source)])


async def test_a_rule_every_minute_is_left_out_at_once_and_the_rest_imports(
    pool: asyncpg.Pool, booking: FakeBooking, http: httpx.AsyncClient, channels: FeedServer
) -> None:
    """Issue 14, item 3: three such events took 4 minutes and 2 GB each to expand, feed after feed."""
    airbnb, bcom = await two_feeds(pool, booking, channels)
    channels.routes[airbnb].body = with_events(ics("a@x", "a2@x"), *(series(f"m{i}@x", EVERY_MINUTE) for i in range(3)))
    channels.routes[bcom].body = ics("b@x", "b2@x")
    started = time.perf_counter()
    results = await sync.sync_all(pool, http, booking, force=True)
    assert time.perf_counter() - started < 5
    assert [(r.status, r.counts["events"]) for r in results] == [("ok", 2), ("ok", 2)]
    assert (blocks(booking, "airbnb"), blocks(booking, "booking")) == (["a2@x", "a@x"], ["b2@x", "b@x"])


async def test_a_feed_past_the_time_limit_fails_alone_keeping_its_blocks(
    pool: asyncpg.Pool,
    booking: FakeBooking,
    http: httpx.AsyncClient,
    channels: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rule that no check refuses but that takes seconds per event (it never finds an instance):
    the parse is killed at the limit, the feed recorded as failed with its blocks, the next one syncs."""
    parser = sync.Parser(seconds=2)
    monkeypatch.setattr(sync, "PARSER", parser)
    airbnb, bcom = await two_feeds(pool, booking, channels)
    await sync.sync_all(pool, http, booking)
    channels.routes[airbnb].body = with_events(
        ics("a@x"), *(series(f"s{i}@x", "FREQ=DAILY;BYSETPOS=2") for i in range(5))
    )
    channels.routes[bcom].body = ics("b@x", "b2@x")
    started = time.perf_counter()
    try:
        results = await sync.sync_all(pool, http, booking, force=True)
    finally:
        parser.close()
    assert time.perf_counter() - started < 6
    assert [(r.status, r.error) for r in results] == [("failed", "took over 2 s to parse"), ("ok", None)]
    assert (blocks(booking, "airbnb"), blocks(booking, "booking")) == (["a@x"], ["b2@x", "b@x"])
    async with pool.acquire() as conn:
        row = await store.feed(conn, results[0].feed_id)
    assert row is not None and (row["last_status"], row["last_error"]) == ("failed", "took over 2 s to parse")


async def test_a_feed_past_the_cap_of_blocks_fails_keeping_them(
    pool: asyncpg.Pool, booking: FakeBooking, http: httpx.AsyncClient, channels: FeedServer
) -> None:
    airbnb, _ = await two_feeds(pool, booking, channels)
    await sync.sync_all(pool, http, booking)
    channels.routes[airbnb].body = with_events(ics("a@x"), *(series(f"n{i}@x", "FREQ=DAILY") for i in range(40)))
    result = (await sync.sync_all(pool, http, booking, force=True))[0]
    assert (result.status, result.error) == ("failed", "more than 20000 events")
    assert blocks(booking, "airbnb") == ["a@x"]


class Exploding:
    """A parser with a bug that the airbnb feed's body triggers."""

    async def parse(self, body: bytes, time_zone: str, today: date) -> list[ical.Event]:
        if b"a@x" in body:
            raise RuntimeError("a bug")
        return ical.parse(body, time_zone, today)


async def test_an_unexpected_error_on_one_feed_is_recorded_and_the_others_sync(
    pool: asyncpg.Pool,
    booking: FakeBooking,
    http: httpx.AsyncClient,
    channels: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await two_feeds(pool, booking, channels)
    monkeypatch.setattr(sync, "PARSER", Exploding())
    results = await sync.sync_all(pool, http, booking)
    assert [(r.status, r.error) for r in results] == [("failed", "internal error (RuntimeError)"), ("ok", None)]
    assert blocks(booking, "booking") == ["b@x"]
    async with pool.acquire() as conn:
        row = await store.feed(conn, results[0].feed_id)
    assert row is not None and row["last_error"] == "internal error (RuntimeError)"


async def test_slow_feeds_do_not_hold_up_the_others(
    pool: asyncpg.Pool, booking: FakeBooking, http: httpx.AsyncClient, channels: FeedServer
) -> None:
    """Three feeds that take 2 s to answer, then a quick one: the pass takes 2 s, not 6."""
    for source in ("airbnb", "booking", "vrbo"):
        await feeds.add(
            pool, booking, CABIN.id, channels.serve(f"/{uuid.uuid4().hex}.ics", body=ics(source), delay=2), source
        )
    await feeds.add(pool, booking, CABIN.id, channels.serve(f"/{uuid.uuid4().hex}.ics", body=ics("quick@x")), "other")
    started = time.perf_counter()
    results = await sync.sync_all(pool, http, booking)
    assert [r.status for r in results] == ["ok"] * 4 and time.perf_counter() - started < 4
