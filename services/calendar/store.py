"""SQL of the calendar schema."""

from datetime import datetime
from typing import Any

import asyncpg

from services.common.db import Conn

FEED_COLUMNS = (
    "id, accommodation_id, url, source, etag, last_modified, created_at, last_sync_at, last_success_at,"
    " last_status, last_error, events_count, conflicts"
)


async def add_feed(conn: Conn, accommodation_id: int, url: str, source: str) -> asyncpg.Record | None:
    """The new feed; None when the cabin already has one from that source."""
    return await conn.fetchrow(
        "INSERT INTO feeds (accommodation_id, url, source) VALUES ($1, $2, $3)"
        f" ON CONFLICT (accommodation_id, source) DO NOTHING RETURNING {FEED_COLUMNS}",
        accommodation_id,
        url,
        source,
    )


async def feeds(conn: Conn, accommodation_id: int = 0) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {FEED_COLUMNS} FROM feeds WHERE $1::bigint = 0 OR accommodation_id = $1 ORDER BY id", accommodation_id
    )


async def feed(conn: Conn, feed_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {FEED_COLUMNS} FROM feeds WHERE id = $1", feed_id)


async def remove_feed(conn: Conn, feed_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(f"DELETE FROM feeds WHERE id = $1 RETURNING {FEED_COLUMNS}", feed_id)


async def record_run(
    conn: Conn, feed_id: int, started_at: datetime, status: str, counts: dict[str, int], error: str | None
) -> None:
    await conn.execute(
        "INSERT INTO sync_runs (feed_id, started_at, status, created, updated, removed, unchanged, conflicts, error)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        feed_id,
        started_at,
        status,
        *(counts.get(name, 0) for name in ("created", "updated", "removed", "unchanged", "conflicts")),
        error,
    )


async def update_feed(conn: Conn, feed_id: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{c} = ${i}" for i, c in enumerate(values, start=2))
    await conn.execute(f"UPDATE feeds SET {assignments} WHERE id = $1", feed_id, *values.values())


# Session advisory locks, one per feed: a replica skips a feed another one is syncing.
_LOCK_BASE = 0x6361_6C65_0000_0000  # "cale" + feed id


async def try_lock(conn: Conn, feed_id: int) -> bool:
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_BASE + feed_id))


async def unlock(conn: Conn, feed_id: int) -> None:
    await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_BASE + feed_id)
