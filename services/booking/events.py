"""The outbox as a stream: replay after a cursor, then tail new events.

Writers hand out outbox ids in commit order (see store.emit), so reading
`id > cursor` in id order never skips an event that commits late. New events
wake the tailing streams through LISTEN/NOTIFY; a one-second poll covers a
lost listener connection.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg

from services.booking import store

log = logging.getLogger(__name__)
BATCH = 500
POLL_SECONDS = 1.0


class EventFeed:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._listener: asyncpg.Connection | None = None
        self._changed = asyncio.Event()

    def _notified(self, *_: object) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _listen(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        try:
            self._listener = await asyncpg.connect(self.dsn)
            await self._listener.add_listener(store.EVENTS_CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("event listener unavailable, polling", extra={"error": str(exc)})
            self._listener = None

    async def _wait(self, changed: asyncio.Event) -> None:
        await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), POLL_SECONDS)

    async def stream(
        self, pool: asyncpg.Pool, after_id: int, types: list[str], follow: bool
    ) -> AsyncIterator[asyncpg.Record]:
        cursor = after_id
        while True:
            changed = self._changed  # taken before reading: a notify during the read still wakes us
            async with pool.acquire() as conn:
                rows = await store.events_after(conn, cursor, types, BATCH)
            for row in rows:
                yield row
                cursor = row["event_id"]
            if len(rows) == BATCH:
                continue
            if not follow:
                return
            await self._wait(changed)
