"""Feeds' syncs: fetch, parse, hand the full set to booking, record the run; every feed on a timer.

A failed fetch or an unparsable feed records the error and keeps the existing
blocks (an upstream outage must not empty a calendar); only a valid, empty
calendar removes them. A Postgres advisory lock per feed makes replicas skip a
feed another one is syncing.
"""

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

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
    async with pool.acquire() as conn:
        ids = [row["id"] for row in await store.feeds(conn)]
    results = [await _sync_locked(pool, http, booking, feed_id, force) for feed_id in ids]
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
            result = await _sync(feed, http, booking, force)
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
        events = await asyncio.to_thread(ical.parse, fetched.body, zone, date.today())  # CPU: off the event loop
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
