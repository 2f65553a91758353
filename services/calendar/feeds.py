"""A cabin's channel feeds: registered once per channel, removed with their blocks."""

import asyncpg

from services.calendar import store
from services.calendar.ports import Booking
from services.common.errors import DomainError, Kind, invalid, not_found

SOURCES = ("airbnb", "booking", "vrbo", "other")
MAX_URL = 2000


async def add(pool: asyncpg.Pool, booking: Booking, accommodation_id: int, url: str, source: str) -> asyncpg.Record:
    if source not in SOURCES:
        raise invalid("INVALID_SOURCE", f"source must be one of {', '.join(SOURCES)}")
    if not url.startswith(("http://", "https://")) or len(url) > MAX_URL:
        raise invalid("INVALID_URL", "url must be http(s)")
    await booking.cabin(accommodation_id)  # NOT_FOUND for a cabin booking does not know
    async with pool.acquire() as conn:
        feed = await store.add_feed(conn, accommodation_id, url, source)
    if feed is None:  # booking replaces blocks per (cabin, source): a second feed would erase the first's
        raise DomainError(Kind.ALREADY_EXISTS, "ALREADY_EXISTS", "this cabin already has a feed from that source")
    return feed


async def listed(pool: asyncpg.Pool, accommodation_id: int) -> list[asyncpg.Record]:
    """The feeds of a cabin, or of every cabin for 0."""
    async with pool.acquire() as conn:
        return await store.feeds(conn, accommodation_id)


async def remove(pool: asyncpg.Pool, booking: Booking, feed_id: int) -> int:
    """Remove the feed and its blocks; how many blocks went."""
    async with pool.acquire() as conn:
        feed = await store.feed(conn, feed_id)
        if feed is None:
            raise not_found("No such feed.")
        cleared = await booking.sync_blocks(feed["accommodation_id"], feed["source"], [])
        await store.remove_feed(conn, feed_id)
    return cleared.removed
