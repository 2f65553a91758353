"""Transactional outbox shared by the services that publish events.

Writers call `before_append` in the transaction that changes state, right
before inserting into their outbox table (or join `appending` in that insert): a transaction-scoped advisory lock
makes outbox ids be handed out in commit order (a sequence value is taken at
insert time, not commit time, so without it a reader that has seen id 12
could later see id 11 commit and skip it). The lock is held only until commit,
so writers take it last, just before committing. It is one lock per outbox,
keyed by its channel: the order matters within an outbox only, and one
service's writers never wait on another's.

`Feed.stream` replays `id > cursor` in id order, then tails: LISTEN/NOTIFY
wakes it, a one-second poll covers a lost listener connection. A fetch that
filters marks what it leaves out `wanted = false` rather than skipping it, so
that the cursor moves past it.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg

from services.common.db import Conn

log = logging.getLogger(__name__)
BATCH = 500
POLL_SECONDS = 1.0
# A tailing reader reads at most this often: under a burst of writes one read takes what a few
# wake-ups would have, and a consumer costs the writer's database a bounded number of reads.
READ_EVERY_SECONDS = 0.02


def appending(key: str, channel: str, after: str = "") -> str:
    """The lock and the wake-up as a CTE, for a writer whose INSERT ... SELECT joins `appending`:
    the rows cannot be written before it is read, so the lock is taken first, in the same round
    trip. `after` names a CTE of the same statement to read first (an insert whose constraint
    checks may wait on other transactions: the lock is not held while they wait)."""
    source = f" FROM {after}" if after else ""
    return f"appending AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtextextended({key}, 0)), pg_notify({channel}, ''){source})"


def appending_args(channel: str) -> tuple[str, str]:
    """The values of `appending`'s `key` and `channel` parameters."""
    return f"outbox.{channel}", channel


async def before_append(conn: Conn, channel: str) -> None:
    """Serialise the channel's outbox writers until commit and wake its listeners on commit."""
    await conn.execute(f"WITH {appending('$1', '$2')} SELECT FROM appending", *appending_args(channel))


Fetch = Callable[[Conn, int, int], Awaitable[list[asyncpg.Record]]]


class Feed:
    """Streams an outbox: `fetch(conn, after_id, limit)` returns rows with an `event_id` (and, where it
    filters, `wanted`)."""

    def __init__(self, dsn: str, channel: str) -> None:
        self.dsn = dsn
        self.channel = channel
        self._listener: asyncpg.Connection[asyncpg.Record] | None = None
        self._changed = asyncio.Event()

    def _notified(self, *_: object) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _listen(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        try:
            self._listener = await asyncpg.connect(self.dsn)
            await self._listener.add_listener(self.channel, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("event listener unavailable, polling", extra={"error": str(exc)})
            self._listener = None

    async def close(self) -> None:
        """Close the listener connection, if one is open."""
        if self._listener is not None:
            await self._listener.close()
            self._listener = None

    async def _wait(self, changed: asyncio.Event) -> None:
        await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), POLL_SECONDS)

    async def stream(
        self, pool: asyncpg.Pool, fetch: Fetch, after_id: int, follow: bool
    ) -> AsyncIterator[asyncpg.Record]:
        cursor = after_id
        loop = asyncio.get_running_loop()
        while True:
            changed = self._changed  # taken before reading: a notify during the read still wakes us
            read_at = loop.time()
            async with pool.acquire() as conn:
                rows = await fetch(conn, cursor, BATCH)
            for row in rows:
                if row.get("wanted", True):
                    yield row
                cursor = row["event_id"]
            if len(rows) == BATCH:
                continue
            if not follow:
                return
            await self._wait(changed)
            await asyncio.sleep(read_at + READ_EVERY_SECONDS - loop.time())
