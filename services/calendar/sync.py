"""One feed's sync: fetch, parse, hand the full set to booking, record the run.

A failed fetch or an unparsable feed records the error and keeps the existing
blocks (an upstream outage must not empty a calendar); only a valid, empty
calendar removes them. A Postgres advisory lock per feed makes replicas skip a
feed another one is syncing.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg
import grpc
import httpx
from prometheus_client import Counter, Gauge

from cabanas.v1 import booking_pb2, booking_pb2_grpc
from services.calendar import ical, store
from services.calendar.fetch import FetchError, fetch
from services.common.pb import day, range_pb

log = logging.getLogger(__name__)

SYNC_AGE = Gauge("ical_sync_age_seconds", "Seconds since the feed's last successful sync", ["feed_id", "source"])
IMPORTED = Counter("ical_events_imported_total", "Events read from channel feeds", ["source"])
CONFLICTS = Counter("ical_conflicts_total", "Blocks refused because they overlap a direct booking", ["source"])
ERRORS = Counter("ical_sync_errors_total", "Failed syncs", ["source"])
_LOCK_BASE = 0x6361_6C65_0000_0000  # "cale" + feed id


@dataclass
class Result:
    feed_id: int
    status: str  # ok, not_modified, failed, skipped
    counts: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    finished_at: datetime | None = None


async def sync_feed(
    pool: asyncpg.Pool, http: httpx.AsyncClient, booking: booking_pb2_grpc.BookingServiceStub, feed_id: int, force: bool
) -> Result:
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_BASE + feed_id):
            return Result(feed_id, "skipped")
        try:
            feed = await store.feed(conn, feed_id)
            if feed is None:
                raise LookupError(feed_id)
            result = await _sync(feed, http, booking, force)
            await _record(conn, feed, result)
            return result
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_BASE + feed_id)


async def _sync(
    feed: asyncpg.Record, http: httpx.AsyncClient, booking: booking_pb2_grpc.BookingServiceStub, force: bool
) -> Result:
    result = Result(feed["id"], "failed")
    try:
        cabin = await booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=feed["accommodation_id"]))
        fetched = await fetch(
            http, feed["url"], None if force else feed["etag"], None if force else feed["last_modified"]
        )
        if fetched.not_modified:
            result.status = "not_modified"
            return result
        zone = cabin.time_zone or "America/Argentina/Buenos_Aires"
        events = await asyncio.to_thread(ical.parse, fetched.body, zone, date.today())  # CPU: off the event loop
        IMPORTED.labels(feed["source"]).inc(len(events))
        reply = await booking.SyncExternalBlocks(
            booking_pb2.SyncExternalBlocksRequest(
                accommodation_id=feed["accommodation_id"],
                source=feed["source"],
                blocks=[
                    booking_pb2.ExternalBlock(
                        uid=e.uid,
                        range=range_pb(e.start, e.end),
                        summary=e.summary,
                    )
                    for e in events
                ],
                allow_empty=True,  # the feed was fetched and parsed: an empty calendar really is empty
            ),
            timeout=30,
        )
        result.status = "ok"
        result.counts = {
            "created": reply.created, "updated": reply.updated, "removed": reply.removed,
            "unchanged": reply.unchanged, "conflicts": len(reply.conflicts), "events": len(events),
        }  # fmt: skip
        result.conflicts = [
            {
                "uid": c.uid, "check_in": day(c.range.start).isoformat(), "check_out": day(c.range.end).isoformat(),
                "reservation_code": c.reservation_code, "source": c.source,
                "reservation_check_in": day(c.reservation_range.start).isoformat(),
                "reservation_check_out": day(c.reservation_range.end).isoformat(),
            }
            for c in reply.conflicts
        ]  # fmt: skip
        result.etag, result.last_modified = fetched.etag, fetched.last_modified
    except (FetchError, ical.FeedError) as exc:
        result.error = str(exc)
    except grpc.aio.AioRpcError as exc:
        result.error = f"booking: {exc.code().name} {exc.details()}"
    return result


async def _record(conn: asyncpg.Connection, feed: asyncpg.Record, result: Result) -> None:
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
