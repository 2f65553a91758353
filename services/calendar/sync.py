"""Feeds' syncs: fetch, parse, hand the full set to booking, record the run; every feed on a timer.

A failed fetch or an unparsable feed records the error and keeps the existing
blocks (an upstream outage must not empty a calendar); only a valid, empty
calendar removes them. A Postgres advisory lock per feed makes replicas skip a
feed another one is syncing.

Parsing is CPU work on untrusted input, so it runs in a worker process (`Parser`),
reused from feed to feed, bounded by PARSE_SECONDS of wall clock and PARSE_MEMORY
of address space: a feed past either is killed with its worker, recorded as
failed, keeps its blocks, and the next feed goes on with a fresh worker.
"""

import asyncio
import logging
import random
import resource
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing import get_context
from typing import Any, TypeVar, TypeVarTuple

import asyncpg
import httpx
from prometheus_client import Counter, Gauge

from services.calendar import ical, store
from services.calendar.fetch import Fetched, FetchError, fetch
from services.calendar.ports import BlockSync, Booking, Conflict
from services.common.db import Conn
from services.common.errors import DomainError, not_found

log = logging.getLogger(__name__)

SYNC_AGE = Gauge("ical_sync_age_seconds", "Seconds since the feed's last successful sync", ["feed_id", "source"])
IMPORTED = Counter("ical_events_imported_total", "Events read from channel feeds", ["source"])
CONFLICTS = Counter("ical_conflicts_total", "Blocks refused because they overlap a direct booking", ["source"])
ERRORS = Counter("ical_sync_errors_total", "Failed syncs", ["source"])
DEFAULT_ZONE = "America/Argentina/Buenos_Aires"  # a cabin's time zone when booking has none
SYNC_CONCURRENCY = 4  # feeds synced at once, each holding a pooled connection (its advisory lock)
# Limits of one feed's parse. The largest feed fetch.py lets through (5 MiB, 20,000 events) takes
# about 6 s on one core and 190 MiB of address space; a normal one, milliseconds and a few MiB.
PARSE_SECONDS = 20.0  # wall clock, the worker's start included
PARSE_MEMORY = 256 * 2**20  # bytes of address space of the worker process (RLIMIT_AS)

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


class Parser:
    """Runs parses one at a time in a worker process of its own, started on first use and reused;
    one that runs past `seconds` or `memory` (or that nobody waits for any more) fails and takes its
    worker with it, so the next parse gets a fresh one."""

    def __init__(self, seconds: float = PARSE_SECONDS, memory: int = PARSE_MEMORY) -> None:
        self.seconds, self.memory = seconds, memory
        self._pool: ProcessPoolExecutor | None = None
        # One parse at a time, so that the time limit counts only its own time (a lock per event loop).
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    async def parse(self, body: bytes, time_zone: str, today: date) -> list[ical.Event]:
        return await self.run(ical.parse, body, time_zone, today)

    async def run(self, work: Callable[[*Ts], T], *args: *Ts) -> T:
        """`work(*args)` in the worker (`work` importable there); FeedError past the limits."""
        loop = asyncio.get_running_loop()
        async with self._turns.setdefault(loop, asyncio.Lock()):
            self._pool = self._pool or self._start()
            try:
                return await asyncio.wait_for(loop.run_in_executor(self._pool, work, *args), self.seconds)
            except asyncio.CancelledError:
                self.close()  # nobody waits for this parse any more: stop it
                raise
            except (TimeoutError, MemoryError, BrokenProcessPool) as exc:
                self.close()  # the worker may still be busy, or in a bad way
                raise ical.FeedError(self._overrun(exc)) from None

    def _start(self) -> ProcessPoolExecutor:
        limit = (self.memory, self.memory)
        # spawn, not fork: the service's threads (gRPC) must not be copied into the worker.
        context = get_context("spawn")
        return ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=resource.setrlimit, initargs=(resource.RLIMIT_AS, limit)
        )

    def _overrun(self, exc: BaseException) -> str:
        if isinstance(exc, TimeoutError):
            return f"took over {self.seconds:g} s to parse"
        if isinstance(exc, MemoryError):
            return f"needs over {self.memory // 2**20} MiB to parse"
        return f"the parser died (over {self.memory // 2**20} MiB, or killed)"  # no memory left to answer

    def close(self) -> None:
        """Kill the worker now (a later parse starts another)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(pool._processes.values()):  # Python 3.14: pool.kill_workers()
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)


PARSER = Parser()


@dataclass
class Result:
    feed_id: int
    status: str  # ok, not_modified, failed, skipped
    counts: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    finished_at: datetime | None = None


async def sync_feed(pool: asyncpg.Pool, http: httpx.AsyncClient, booking: Booking, feed_id: int, force: bool) -> Result:
    """Sync one feed now (`force`: without a conditional request); NOT_FOUND when there is no such feed."""
    result = await _sync_locked(pool, http, booking, feed_id, force)
    if result is None:
        raise not_found("No such feed.")
    return result


async def sync_all(pool: asyncpg.Pool, http: httpx.AsyncClient, booking: Booking, force: bool = False) -> list[Result]:
    """Every feed, SYNC_CONCURRENCY at a time: a slow or hostile feed holds up one slot, not the pass."""
    async with pool.acquire() as conn:
        ids = [row["id"] for row in await store.feeds(conn)]
    slots = asyncio.Semaphore(SYNC_CONCURRENCY)

    async def one(feed_id: int) -> Result | None:
        async with slots:
            return await _sync_locked(pool, http, booking, feed_id, force)

    results = await asyncio.gather(*(one(feed_id) for feed_id in ids))
    return [r for r in results if r is not None]  # None: removed meanwhile


async def sync_loop(pool: asyncpg.Pool, http: httpx.AsyncClient, booking: Booking, interval: float) -> None:
    """Every `interval` seconds (±10 %, so replicas spread out), sync every feed."""
    while True:
        await asyncio.sleep(interval * random.uniform(0.9, 1.1))
        try:
            await sync_all(pool, http, booking)
            await _measure_ages(pool)
        except Exception:
            log.warning("calendar sync pass failed", exc_info=True)


async def _measure_ages(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        for row in await store.feeds(conn):
            since = row["last_success_at"] or row["created_at"]
            SYNC_AGE.labels(str(row["id"]), row["source"]).set((datetime.now(UTC) - since).total_seconds())


async def _sync_locked(
    pool: asyncpg.Pool, http: httpx.AsyncClient, booking: Booking, feed_id: int, force: bool
) -> Result | None:
    """The feed's sync, "skipped" while another replica syncs it, None when there is no such feed."""
    async with pool.acquire() as conn:
        if not await store.try_lock(conn, feed_id):
            return Result(feed_id, "skipped")
        try:
            feed = await store.feed(conn, feed_id)
            if feed is None:
                return None
            try:
                result = await _sync(feed, http, booking, force)
            except Exception as exc:  # a bug on one feed's data must not stop the other feeds' syncs
                log.exception("feed %s sync failed unexpectedly", feed_id)
                result = Result(feed_id, "failed", error=f"internal error ({type(exc).__name__})")
            await _record(conn, feed, result)
            return result
        finally:
            await store.unlock(conn, feed_id)


async def _sync(feed: asyncpg.Record, http: httpx.AsyncClient, booking: Booking, force: bool) -> Result:
    result = Result(feed["id"], "failed")
    try:
        cabin = await booking.cabin(feed["accommodation_id"])
        fetched = await fetch(
            http, feed["url"], None if force else feed["etag"], None if force else feed["last_modified"]
        )
        if fetched.not_modified:
            result.status = "not_modified"
            return result
        zone = cabin.time_zone or DEFAULT_ZONE
        events = await PARSER.parse(fetched.body, zone, date.today())
        IMPORTED.labels(feed["source"]).inc(len(events))
        synced = await booking.sync_blocks(feed["accommodation_id"], feed["source"], events)
    except (FetchError, ical.FeedError) as exc:
        result.error = str(exc)
    except DomainError as exc:  # booking refused or did not answer
        result.error = f"booking: {exc.reason} {exc.message}"
    else:
        _applied(result, fetched, synced, len(events))
    return result


def _applied(result: Result, fetched: Fetched, synced: BlockSync, events: int) -> None:
    result.status = "ok"
    result.counts = {
        "created": synced.created,
        "updated": synced.updated,
        "removed": synced.removed,
        "unchanged": synced.unchanged,
        "conflicts": len(synced.conflicts),
        "events": events,
    }
    result.conflicts = synced.conflicts
    result.etag, result.last_modified = fetched.etag, fetched.last_modified


async def _record(conn: Conn, feed: asyncpg.Record, result: Result) -> None:
    result.finished_at = datetime.now().astimezone()
    values: dict[str, Any] = {
        "last_sync_at": result.finished_at,
        "last_status": result.status,
        "last_error": result.error,
    }
    if result.status in ("ok", "not_modified"):
        values["last_success_at"] = result.finished_at
        SYNC_AGE.labels(str(feed["id"]), feed["source"]).set(0)
    if result.status == "ok":
        values |= {
            "etag": result.etag,
            "last_modified": result.last_modified,
            "events_count": result.counts.get("events", 0),
            "conflicts": result.conflicts,
        }
        CONFLICTS.labels(feed["source"]).inc(len(result.conflicts))
        for c in result.conflicts:
            log.warning("calendar conflict: %s block %s overlaps %s", c["source"], c["uid"], c["reservation_code"])
    if result.status == "failed":
        ERRORS.labels(feed["source"]).inc()
        log.warning("feed %s sync failed, blocks kept: %s", feed["id"], result.error)
    async with conn.transaction():
        await store.update_feed(conn, feed["id"], values)
        await store.record_run(conn, feed["id"], result.started_at, result.status, result.counts, result.error)
