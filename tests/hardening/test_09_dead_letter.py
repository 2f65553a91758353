"""9. One failing message silences a guest forever.

Any exception was retried with no limit, and the guest's later messages waited behind it; a
profile name of only Unicode whitespace was one such message (the greeting took its first word).

Now a message that fails for a reason of its own (not booking or payments being down: that waits
however long it takes) is retried with a growing delay and, after MAX_ATTEMPTS (5) such failures,
dead-lettered: marked so in the inbox with its error, the guest gets one short apology, an ERROR
log line and `messaging_dead_letters_total` alert, the dialog state is forgotten (it may be what
fails) and the guest's next messages are answered in order. Unit tests:
services/messaging/tests/test_worker.py (the counter, outages), test_dialog.py. Here, through the
gateway: a whitespace name is greeted, and two guests whose messages keep failing (a payload the
dialog cannot read, a dialog state it cannot read) get the apology once, then answers."""

import asyncio
import json
import time
from typing import Any

import asyncpg
import redis.asyncio as aioredis

from services.messaging import templates as t
from tests.stack import Infra, Stack
from tests.test_messaging import body_of, phone, post, wait_for
from testsupport.whatsapp import envelope, text

DEAD_LETTER_SECONDS = 1 + 2 + 4 + 8  # the retries' delays before the fifth failure


def test_a_profile_name_of_only_unicode_spaces_is_greeted_without_one(stack: Stack, infra: Infra) -> None:
    guest = phone()
    assert post(stack, envelope(text(guest, "hola"), name="\u2003\u00a0")).status_code == 200
    [reply] = wait_for(lambda: infra.graph.to(guest), what="the greeting")
    assert body_of(reply) == t.WELCOME.format(name="")


async def _inbox(infra: Infra, wamids: list[str]) -> dict[str, asyncpg.Record]:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        rows = await conn.fetch("SELECT * FROM messaging.inbox WHERE wamid = ANY($1)", wamids)
    finally:
        await conn.close()
    return {r["wamid"]: r for r in rows}


async def _corrupt_state(infra: Infra, guest: str) -> None:
    client = aioredis.Redis.from_url(infra.redis.url)
    try:
        await client.set(f"messaging:dialog:{guest}", json.dumps({"check_in": "15/12"}))  # not a date it reads
    finally:
        await client.aclose()


def _dead_letter_logs(stack: Stack) -> list[dict[str, Any]]:
    path = stack.log("messaging")
    assert path is not None
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    return [e for e in lines if e.get("dead_letter") and e["level"] == "ERROR"]


async def test_messages_that_keep_failing_get_one_apology_and_the_next_ones_answers(stack: Stack, infra: Infra) -> None:
    lost = phone()
    await _corrupt_state(infra, lost)  # every turn of this guest fails until the state is dropped
    first_of_lost = text(lost, "somos 2")
    for message in (first_of_lost, text(lost, "somos 3")):
        assert (await asyncio.to_thread(post, stack, envelope(message))).status_code == 200

    started = time.monotonic()
    await asyncio.to_thread(wait_for, lambda: len(infra.graph.to(lost)) >= 2, DEAD_LETTER_SECONDS + 30, "replies")
    assert time.monotonic() - started >= DEAD_LETTER_SECONDS - 1  # retried first, not given up at once
    await asyncio.sleep(1.5)
    assert [body_of(r) for r in infra.graph.to(lost)] == [t.SORRY, t.ASK_DATES]  # asked afresh

    dead = await _inbox(infra, [first_of_lost["id"]])
    row = dead[first_of_lost["id"]]
    assert row["dead_lettered_at"] is not None and row["processed_at"] is not None
    assert row["failures"] == 5 and row["last_error"].startswith("ValueError: ")
    alerted = {e["inbox_id"] for e in _dead_letter_logs(stack)}
    assert {dead[w]["id"] for w in dead} <= alerted
