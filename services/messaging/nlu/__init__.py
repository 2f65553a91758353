"""Spanish (Rioplatense) understanding of guests' messages: intent and slots.

Rules, table-driven: `normalize` makes what guests type uniform, each slot has its extractor
(dates, party, cabins, topics), `intents` a table of phrasings, and `parse` puts them together
against `today` (the cabin's time zone) and what the bot asked last (`Expecting`). No model, no
network: fast and the same answer every time. On an event loop, `parse_off_loop`."""

import asyncio
from collections.abc import Mapping
from datetime import date

from services.messaging.nlu.consent import consent
from services.messaging.nlu.dates import MONTHS
from services.messaging.nlu.intents import INTENTS
from services.messaging.nlu.normalize import normalize
from services.messaging.nlu.parse import EXPECTS, NOTHING_ASKED, Expecting, Parse, parse
from services.messaging.nlu.topics import TOPICS

__all__ = [
    "EXPECTS",
    "INTENTS",
    "MONTHS",
    "TOPICS",
    "Expecting",
    "Parse",
    "consent",
    "normalize",
    "parse",
    "parse_off_loop",
]


async def parse_off_loop(
    text: str, today: date, cabins: Mapping[str, str] | None = None, expecting: Expecting = NOTHING_ASKED
) -> Parse:
    """`parse` on a worker thread: a long message never holds up the event loop."""
    return await asyncio.to_thread(parse, text, today, cabins, expecting)
