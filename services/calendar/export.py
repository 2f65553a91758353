"""Each cabin's calendar for the channels to import, and the tokenised URLs they import it from."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg

from services.calendar import ical, links, store
from services.calendar.ports import Booking
from services.common.errors import DomainError, Kind
from services.common.settings import Settings

NEVER = datetime(2000, 1, 1, tzinfo=UTC)  # last change of a calendar with nothing in it
OWNER = "owner"  # the source of the owner's own blocks (booking's CreateBlock): no channel has them


@dataclass(frozen=True)
class Export:
    ics: bytes
    etag: str
    last_modified: datetime


async def calendar(booking: Booking, salt: bytes, accommodation_id: int, token: str, exclude_source: str) -> Export:
    """The cabin's calendar within the bookable window; `exclude_source` leaves out the blocks
    imported from that channel (it has them already), never the owner's own blocks: every channel
    must close those nights. A block shows as "No disponible", never with the owner's reason.
    FORBIDDEN on a wrong token."""
    if not links.token_matches(salt, accommodation_id, token):
        raise DomainError(Kind.FORBIDDEN, "INVALID_TOKEN", "Invalid calendar token.")
    cabin = await booking.cabin(accommodation_id)
    today = date.today()
    window = today - timedelta(days=ical.PAST_DAYS), today + timedelta(days=ical.FUTURE_DAYS)
    booked = [b for b in await booking.booked(cabin.id, *window) if b.source == OWNER or b.source != exclude_source]
    body = ical.render(cabin.name, booked)
    return Export(body, ical.etag(body), max((b.updated_at for b in booked), default=NEVER))


async def urls(
    pool: asyncpg.Pool, booking: Booking, settings: Settings, accommodation_id: int
) -> tuple[str, dict[str, str]]:
    """The cabin's export URL, and per channel it has a feed from, the URL without that channel's blocks."""
    await booking.cabin(accommodation_id)  # NOT_FOUND for a cabin booking does not know
    base = links.export_url(settings, accommodation_id)
    async with pool.acquire() as conn:
        sources = sorted({row["source"] for row in await store.feeds(conn, accommodation_id)})
    return base, {s: f"{base}&exclude_source={s}" for s in sources}
