"""14. Small ones: dateparser ran on messaging's event loop (0.3–0.6 s of CPU for a
500-character message): run it off the loop or bound it.

dateparser's time grew with the text it searched, on the event loop that serves every guest,
the webhooks and the health checks. The understanding no longer uses dateparser: its rules
(services/messaging/nlu/) read dates in time that grows little with the message (bench/nlu.py:
p95 about 10 ms at 500 characters), and the dialog parses off the loop anyway
(`nlu.parse_off_loop`). What they read: services/messaging/tests/test_nlu_table.py."""

import asyncio
import time
from collections.abc import Callable
from datetime import date

from services.messaging import dialog, nlu
from services.messaging.tests.test_dialog import FakeBackend
from services.messaging.whatsapp import Inbound

TODAY = date(2026, 3, 1)
# Numbers around a month name, then a stay: what made dateparser try every run of numbers.
LONG = " ".join(str(i % 31 + 1) for i in range(200))[:479] + " del 5 al 8 de agosto"
FILLER = "hola, queriamos consultar por la cabana, vamos con los chicos y el perro y llegamos tarde, "


def _cpu(work: Callable[[], object]) -> float:
    """The least CPU time of a few runs of `work`."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def test_a_long_message_costs_little() -> None:
    assert len(LONG) == 500 and nlu.parse(LONG, TODAY).check_in == date(2026, 8, 5)
    assert _cpu(lambda: nlu.parse(LONG, TODAY)) < 0.05


def test_a_date_in_a_long_message_is_read_as_in_a_short_one() -> None:
    for words in ("el 3 de abril", "dentro de dos semanas", "del 5 al 8 de agosto", "el finde largo"):
        long = (FILLER * 5)[:250] + " " + words + " " + (FILLER * 5)[:200]
        assert nlu.parse(long, TODAY).check_in == nlu.parse(words, TODAY).check_in is not None, words


async def test_the_event_loop_stays_responsive_while_long_messages_are_parsed() -> None:
    nlu.parse("el finde largo", TODAY)  # the holidays calendar loads once per process and year
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
    assert all(turn.state["check_in"] == "2026-08-05" for turn in turns)
    # On the loop, dateparser stalled it 0.3-0.6 s a message (eight here: seconds); off it, a tick
    # waits only for the GIL and the machine (the suite's own processes share its 2 cores: 0.11 s seen).
    assert max(lags) < 0.25, f"the loop stalled {max(lags):.3f} s"
