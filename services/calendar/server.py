"""gRPC adapter of the calendar service: convert the request, call the core, convert the answer."""

from pathlib import Path

from cabanas.v1 import calendar_pb2, calendar_pb2_grpc
from services.calendar import convert, export, feeds, sync
from services.calendar.app import CalendarApp, build
from services.common.grpc_server import Bound, Context, Service
from services.common.pb import timestamp_pb


class CalendarServicer(Bound[CalendarApp], calendar_pb2_grpc.CalendarServiceServicer):
    async def AddFeed(self, request: calendar_pb2.AddFeedRequest, context: Context) -> calendar_pb2.Feed:
        app = self.app
        feed = await feeds.add(app.db, app.booking, request.accommodation_id, request.url, request.source)
        return convert.feed_pb(feed)

    async def ListFeeds(
        self, request: calendar_pb2.ListFeedsRequest, context: Context
    ) -> calendar_pb2.ListFeedsResponse:
        listed = await feeds.listed(self.app.db, request.accommodation_id)
        return calendar_pb2.ListFeedsResponse(feeds=[convert.feed_pb(f) for f in listed])

    async def RemoveFeed(
        self, request: calendar_pb2.RemoveFeedRequest, context: Context
    ) -> calendar_pb2.RemoveFeedResponse:
        removed = await feeds.remove(self.app.db, self.app.booking, request.id)
        return calendar_pb2.RemoveFeedResponse(blocks_removed=removed)

    async def SyncFeed(self, request: calendar_pb2.SyncFeedRequest, context: Context) -> calendar_pb2.SyncResult:
        app = self.app
        return convert.result_pb(await sync.sync_feed(app.db, app.http, app.booking, request.id, request.force))

    async def SyncAll(self, request: calendar_pb2.SyncAllRequest, context: Context) -> calendar_pb2.SyncAllResponse:
        app = self.app
        results = await sync.sync_all(app.db, app.http, app.booking, request.force)
        return calendar_pb2.SyncAllResponse(results=[convert.result_pb(r) for r in results])

    async def ExportCalendar(
        self, request: calendar_pb2.ExportCalendarRequest, context: Context
    ) -> calendar_pb2.ExportCalendarResponse:
        app = self.app
        out = await export.calendar(
            app.booking, app.salt, request.accommodation_id, request.token, request.exclude_source
        )
        return calendar_pb2.ExportCalendarResponse(
            ics=out.ics.decode(), etag=out.etag, last_modified=timestamp_pb(out.last_modified)
        )

    async def ExportUrl(
        self, request: calendar_pb2.ExportUrlRequest, context: Context
    ) -> calendar_pb2.ExportUrlResponse:
        app = self.app
        base, per_source = await export.urls(app.db, app.booking, app.settings, request.accommodation_id)
        return calendar_pb2.ExportUrlResponse(export_url=base, per_source_urls=per_source)


SERVICE = Service(
    name="calendar",
    descriptor=calendar_pb2.DESCRIPTOR.services_by_name["CalendarService"],
    servicer=CalendarServicer,
    add_to_server=calendar_pb2_grpc.add_CalendarServiceServicer_to_server,
    build=build,
    schema="calendar",
    migrations=Path(__file__).parent / "migrations",
)
