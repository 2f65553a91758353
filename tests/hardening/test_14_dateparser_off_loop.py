"""14. Small ones: dateparser runs on messaging's event loop (0.3–0.6 s of CPU for a
500-character message): run it off the loop or bound it.

dateparser's time grows with the text it searches: a 500-character message of numbers around a
month name took 0.23 s of CPU here (0.3–0.6 s in the review), on the event loop that serves every
guest, the webhooks and the health checks. Now dateparser reads only the words around each month
name or relative day ("en enero", "dentro de dos semanas"), at most three of them, and the
dialog parses on a thread of its own (`nlu.parse_off_loop`; one thread: dateparser is not
thread-safe). The same message takes about 0.02 s, off the loop. What the rules and dateparser
find is unchanged: services/messaging/tests/test_nlu.py and test_nlu_properties.py."""

import asyncio
import time
from collections.abc import Callable
from datetime import date

from services.messaging import dialog, nlu
from services.messaging.tests.test_dialog import FakeBackend
from services.messaging.whatsapp import Inbound

TODAY = date(2026, 3, 1)
# Numbers around a month name: no rule reads it, dateparser tries every run of numbers.
LONG = " ".join(str(i % 31 + 1) for i in range(200))[:494] + " marzo"
FILLER = "hola, queriamos consultar por la cabana, vamos con los chicos y el perro y llegamos tarde, "


def _cpu(work: Callable[[], object]) -> float:
    """The least CPU time of a few runs of `work`."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def test_a_long_message_costs_dateparser_little_more_than_its_date_words() -> None:
    assert len(LONG) == 500 and nlu.parse(LONG, TODAY).check_in == date(2027, 3, 1)
    whole = _cpu(lambda: nlu.parse(LONG, TODAY))
    around_the_month = _cpu(lambda: nlu.parse(LONG[-60:], TODAY))
    assert whole < 2 * around_the_month + 0.01, (whole, around_the_month)


def test_a_date_in_a_long_message_is_read_as_in_a_short_one() -> None:
    for words in ("a principios de abril", "en julio para las vacaciones", "dentro de dos semanas", "agosto 2027"):
        long = (FILLER * 5)[:250] + " " + words + " " + (FILLER * 5)[:200]
        assert nlu.parse(long, TODAY).check_in == nlu.parse(words, TODAY).check_in is not None, words


async def test_the_event_loop_stays_responsive_while_long_messages_are_parsed() -> None:
    # dateparser loads its Spanish data at its first search, once per process: garbage collection
    # of what that leaves can pause every thread, whoever parses. The steady state is measured.
    nlu.parse("en enero", TODAY)
    lags: list[float] = []
    parsing = True

    async def ticker() -> None:
        while parsing:
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - start - 0.01)

    ticks = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    messages = [Inbound(f"wamid.{n}", "5491155555555", "Ana", "text", LONG, None, {}) for n in range(8)]
    turns = await asyncio.gather(*(dialog.respond(m, {}, FakeBackend(), TODAY) for m in messages))
    parsing = False
    await ticks
    assert all(turn.state["check_in"] == "2027-03-01" for turn in turns)
    assert max(lags) < 0.1, f"the loop stalled {max(lags):.3f} s"
