"""Booking's parts, built once Postgres (and Redis, where there is one) connect."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import asyncpg

from services.booking import holds, store
from services.booking.locks import CabinLocks
from services.common import outbox
from services.common.grpc_server import App, Loop, Runtime


@dataclass
class BookingApp(App):
    db: asyncpg.Pool
    locks: CabinLocks  # over Redis; without it every lock is simply not obtained
    cabins: holds.Cabins  # what holds are priced from, checked fresh by their insert
    feed: outbox.Feed  # the domain events, for StreamEvents
    hold_ttl: timedelta  # how long a pre-reservation holds its dates
    hold_caps: holds.Caps  # open holds per guest phone and per API client

    def loops(self) -> dict[str, Loop]:
        return {"expire": partial(holds.expire_forever, self.db)}

    async def close(self) -> None:
        await self.feed.close()


async def build(runtime: Runtime) -> BookingApp:
    settings = runtime.settings
    return BookingApp(
        db=runtime.db,
        locks=CabinLocks(runtime.redis),
        cabins=holds.Cabins(),
        feed=outbox.Feed(settings.database_url, store.EVENTS_CHANNEL),
        hold_ttl=timedelta(minutes=settings.pre_reservation_ttl_minutes),
        hold_caps=holds.Caps(settings.max_open_holds_per_phone, settings.max_open_holds_per_client),
    )
