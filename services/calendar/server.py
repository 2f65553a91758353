"""gRPC adapter of the calendar service."""

import asyncio
import logging
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc, calendar_pb2, calendar_pb2_grpc, common_pb2
from services.calendar import ical, links, store, sync
from services.calendar.fetch import client as http_client
from services.common.grpc_clients import channel
from services.common.grpc_server import Runtime, Service, abort_with_reason
from services.common.pb import conflict_pb, day, range_pb, timestamp_pb

log = logging.getLogger(__name__)

SOURCES = ("airbnb", "booking", "vrbo", "other")
STATUSES = {
    "ok": calendar_pb2.SYNC_STATUS_OK,
    "not_modified": calendar_pb2.SYNC_STATUS_NOT_MODIFIED,
    "failed": calendar_pb2.SYNC_STATUS_FAILED,
    "skipped": calendar_pb2.SYNC_STATUS_SKIPPED,
}
HOLDING = [
    common_pb2.RESERVATION_STATUS_PRE_RESERVED,
    common_pb2.RESERVATION_STATUS_CONFIRMED,
    common_pb2.RESERVATION_STATUS_BLOCKED,
]
_CHANNELS = {common_pb2.CHANNEL_WHATSAPP: "whatsapp", common_pb2.CHANNEL_WEB: "web", common_pb2.CHANNEL_ADMIN: "admin"}


def feed_pb(row: asyncpg.Record) -> calendar_pb2.Feed:
    return calendar_pb2.Feed(
        id=row["id"],
        accommodation_id=row["accommodation_id"],
        url=row["url"],
        source=row["source"],
        created_at=timestamp_pb(row["created_at"]),
        last_sync_at=timestamp_pb(row["last_sync_at"]),
        last_success_at=timestamp_pb(row["last_success_at"]),
        last_status=STATUSES.get(row["last_status"] or "", calendar_pb2.SYNC_STATUS_UNSPECIFIED),
        last_error=row["last_error"] or "",
        events_count=row["events_count"],
        conflicts_count=len(row["conflicts"]),
        conflicts=[conflict_pb(c) for c in row["conflicts"]],
    )


def result_pb(r: sync.Result) -> calendar_pb2.SyncResult:
    return calendar_pb2.SyncResult(
        feed_id=r.feed_id,
        status=STATUSES[r.status],
        created=r.counts.get("created", 0),
        updated=r.counts.get("updated", 0),
        removed=r.counts.get("removed", 0),
        unchanged=r.counts.get("unchanged", 0),
        conflicts=[conflict_pb(c) for c in r.conflicts],
        error=r.error or "",
        started_at=timestamp_pb(r.started_at),
        finished_at=timestamp_pb(r.finished_at),
    )


class CalendarServicer(calendar_pb2_grpc.CalendarServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.booking = booking_pb2_grpc.BookingServiceStub(channel(settings.booking_addr))
        self.http = http_client()
        self.salt = links.salt(settings)

    async def _cabin(self, context: Any, accommodation_id: int) -> booking_pb2.Accommodation:
        try:
            return await self.booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=accommodation_id))
        except grpc.aio.AioRpcError as exc:
            code = exc.code() if exc.code() == grpc.StatusCode.NOT_FOUND else grpc.StatusCode.UNAVAILABLE
            await abort_with_reason(context, code, code.name, exc.details() or "booking did not answer")
            raise

    async def AddFeed(self, request: Any, context: Any) -> calendar_pb2.Feed:
        if request.source not in SOURCES:
            await abort_with_reason(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "INVALID_SOURCE",
                f"source must be one of {', '.join(SOURCES)}",
            )
        if not request.url.startswith(("http://", "https://")) or len(request.url) > 2000:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_URL", "url must be http(s)")
        await self._cabin(context, request.accommodation_id)
        try:
            async with self.runtime.db.acquire() as conn:
                return feed_pb(await store.add_feed(conn, request.accommodation_id, request.url, request.source))
        except asyncpg.UniqueViolationError:
            await abort_with_reason(
                context,
                grpc.StatusCode.ALREADY_EXISTS,
                "ALREADY_EXISTS",
                "this cabin already has a feed from that source",
            )
            raise

    async def ListFeeds(self, request: Any, context: Any) -> calendar_pb2.ListFeedsResponse:
        async with self.runtime.db.acquire() as conn:
            rows = await store.feeds(conn, request.accommodation_id)
        return calendar_pb2.ListFeedsResponse(feeds=[feed_pb(r) for r in rows])

    async def RemoveFeed(self, request: Any, context: Any) -> calendar_pb2.RemoveFeedResponse:
        async with self.runtime.db.acquire() as conn:
            row = await store.feed(conn, request.id)
            if row is None:
                await abort_with_reason(context, grpc.StatusCode.NOT_FOUND, "NOT_FOUND", "No such feed.")
            cleared = await self.booking.SyncExternalBlocks(
                booking_pb2.SyncExternalBlocksRequest(
                    accommodation_id=row["accommodation_id"], source=row["source"], allow_empty=True
                )
            )
            await store.remove_feed(conn, request.id)
        return calendar_pb2.RemoveFeedResponse(blocks_removed=cleared.removed)

    async def SyncFeed(self, request: Any, context: Any) -> calendar_pb2.SyncResult:
        try:
            return result_pb(await sync.sync_feed(self.runtime.db, self.http, self.booking, request.id, request.force))
        except LookupError:
            await abort_with_reason(context, grpc.StatusCode.NOT_FOUND, "NOT_FOUND", "No such feed.")
            raise

    async def SyncAll(self, request: Any, context: Any) -> calendar_pb2.SyncAllResponse:
        return calendar_pb2.SyncAllResponse(results=[result_pb(r) for r in await self.sync_all(request.force)])

    async def sync_all(self, force: bool = False) -> list[sync.Result]:
        async with self.runtime.db.acquire() as conn:
            ids = [row["id"] for row in await store.feeds(conn)]
        results = []
        for feed_id in ids:
            try:
                results.append(await sync.sync_feed(self.runtime.db, self.http, self.booking, feed_id, force))
            except LookupError:  # removed meanwhile
                continue
        return results

    async def ExportCalendar(self, request: Any, context: Any) -> calendar_pb2.ExportCalendarResponse:
        if not links.token_matches(self.salt, request.accommodation_id, request.token):
            await abort_with_reason(
                context, grpc.StatusCode.PERMISSION_DENIED, "INVALID_TOKEN", "Invalid calendar token."
            )
        cabin = await self._cabin(context, request.accommodation_id)
        booked = [
            b for b in await self._booked(cabin.id) if not request.exclude_source or b.source != request.exclude_source
        ]
        body = ical.render(cabin.id, cabin.name, booked, "cabanas")
        newest = max((b.updated_at for b in booked), default=datetime(2000, 1, 1, tzinfo=UTC))
        return calendar_pb2.ExportCalendarResponse(
            ics=body.decode(), etag=ical.etag(body), last_modified=timestamp_pb(newest)
        )

    async def _booked(self, accommodation_id: int) -> list[ical.Booked]:
        today = date.today()
        window = range_pb(today - timedelta(days=ical.PAST_DAYS), today + timedelta(days=ical.FUTURE_DAYS))
        booked, token = [], ""
        while True:
            page = await self.booking.ListReservations(
                booking_pb2.ListReservationsRequest(
                    statuses=HOLDING, accommodation_id=accommodation_id, overlapping=window,
                    page=common_pb2.PageRequest(page_size=100, page_token=token),
                )
            )  # fmt: skip
            for r in page.reservations:
                booked.append(
                    ical.Booked(
                        code=r.code,
                        start=day(r.stay.start),
                        end=day(r.stay.end),
                        status="blocked" if r.status == common_pb2.RESERVATION_STATUS_BLOCKED else "booked",
                        source=r.external_source or _CHANNELS.get(r.channel, "web"),
                        updated_at=r.updated_at.ToDatetime(tzinfo=UTC),
                    )
                )
            token = page.page.next_page_token
            if not token:
                return booked

    async def ExportUrl(self, request: Any, context: Any) -> calendar_pb2.ExportUrlResponse:
        await self._cabin(context, request.accommodation_id)
        base = links.export_url(self.runtime.settings, request.accommodation_id)
        async with self.runtime.db.acquire() as conn:
            sources = sorted({row["source"] for row in await store.feeds(conn, request.accommodation_id)})
        return calendar_pb2.ExportUrlResponse(
            export_url=base, per_source_urls={s: f"{base}&exclude_source={s}" for s in sources}
        )


async def sync_loop(servicer: CalendarServicer) -> None:
    """Every ICAL_SYNC_INTERVAL_SECONDS (±10 %, so replicas spread out), sync every feed."""
    interval = servicer.runtime.settings.ical_sync_interval_seconds
    while True:
        await asyncio.sleep(interval * random.uniform(0.9, 1.1))
        try:
            await servicer.sync_all()
            async with servicer.runtime.db.acquire() as conn:
                for row in await store.feeds(conn):
                    since = row["last_success_at"] or row["created_at"]
                    age = (datetime.now(UTC) - since).total_seconds()
                    sync.SYNC_AGE.labels(str(row["id"]), row["source"]).set(age)
        except Exception:
            log.warning("calendar sync pass failed", exc_info=True)


SERVICE = Service(
    name="calendar",
    descriptor=calendar_pb2.DESCRIPTOR.services_by_name["CalendarService"],
    servicer=CalendarServicer,
    add_to_server=calendar_pb2_grpc.add_CalendarServiceServicer_to_server,
    schema="calendar",
    migrations=Path(__file__).parent / "migrations",
    workers=(sync_loop,),
)
