"""The calendar service's parts, built once Postgres is connected, and its background loop."""

import functools
from dataclasses import dataclass

import asyncpg
import httpx

from services.calendar import fetch, links, sync
from services.calendar.adapters import GrpcBooking
from services.calendar.ports import Booking
from services.common.grpc_clients import channel
from services.common.grpc_server import App, Loop, Runtime
from services.common.settings import Settings


@dataclass
class CalendarApp(App):
    db: asyncpg.Pool
    booking: Booking
    http: httpx.AsyncClient  # fetches the channels' feeds
    salt: bytes  # key of the export URLs' tokens
    settings: Settings

    def loops(self) -> dict[str, Loop]:
        interval = self.settings.ical_sync_interval_seconds
        return {"sync": functools.partial(sync.sync_loop, self.db, self.http, self.booking, interval)}

    async def close(self) -> None:
        await self.http.aclose()
        sync.PARSER.close()  # the feed-parsing worker process


async def build(runtime: Runtime) -> CalendarApp:
    settings = runtime.settings
    return CalendarApp(
        db=runtime.db,
        booking=GrpcBooking(channel(settings.booking_addr)),
        http=fetch.client(),
        salt=links.salt(settings),
        settings=settings,
    )
