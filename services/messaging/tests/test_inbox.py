"""The owner's inbox against a real Postgres (a messaging schema of its own) and Redis, the real
worker over the in-memory booking, and the real sender posting to the Graph API's local fake:
who waits for a person and since when, a person's reply (text inside the 24-hour window, the
template outside it), the bot staying quiet after a person answered, and handing back."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
import redis.asyncio as aioredis

from services.common.errors import DomainError, Kind
from services.common.settings import Settings
from services.messaging import store
from services.messaging import templates as t
from services.messaging.conversations import Sender, Worker
from services.messaging.graph import WhatsApp
from services.messaging.inbox import Inbox
from services.messaging.tests.test_dialog import FakeBackend
from services.messaging.whatsapp import Inbound
from tests.stack import Infra
from testsupport.whatsapp import PHONE_NUMBER_ID

PERSON = "user:7"


class Desk:
    """A guest's side (messages into the worker) and the owner's (the inbox), one sender to the Graph fake."""

    def __init__(self, pool: asyncpg.Pool, redis: aioredis.Redis, whatsapp: WhatsApp) -> None:
        self.pool = pool
        self.sender = Sender(pool, whatsapp)
        self.worker = Worker(pool, redis, FakeBackend(), False, self.sender, _deaf, 0.5)
        self.inbox = Inbox(pool, Settings(), False, self.sender.kick)

    async def guest_says(self, phone: str, body: str, at: datetime | None = None) -> None:
        wamid = f"wamid.{uuid.uuid4().hex}"
        message = Inbound(wamid, phone, "Ana Pérez", "text", body, at, {"id": wamid, "text": {"body": body}})
        async with self.pool.acquire() as conn:
            await store.store_inbound(conn, [message], "")
        await self.worker.run_once()
        await self.sender.run_once()

    async def outbox(self, phone: str) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return await store.outbox(conn, phone, 0, 100)

    async def waiting(self) -> list[tuple[str, datetime | None]]:
        rows, _ = await self.inbox.conversations(True, 100, 0)
        return [(r["phone"], r["waiting_since"]) for r in rows]


async def _deaf(msg: Inbound) -> tuple[str, float]:
    raise AssertionError("no voice notes here")


@pytest.fixture
async def desk(pool: asyncpg.Pool, redis: aioredis.Redis, infra: Infra) -> AsyncIterator[Desk]:
    whatsapp = WhatsApp(infra.graph.url, PHONE_NUMBER_ID, "TEST-whatsapp-token")
    yield Desk(pool, redis, whatsapp)
    await whatsapp.http.aclose()


def new_phone() -> str:
    return "549" + str(uuid.uuid4().int)[:10]


async def test_a_guest_who_asks_for_a_person_waits_until_one_answers(desk: Desk, infra: Infra) -> None:
    guest, asked_at = new_phone(), datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    await desk.guest_says(guest, "quiero hablar con una persona", asked_at)
    await desk.guest_says(guest, "hola? hay alguien?")
    assert [r["text"] for r in await desk.outbox(guest)] == [t.HANDOFF]  # the bot stays quiet after handing off
    assert await desk.waiting() == [(guest, asked_at)]  # since the first unanswered message

    reply = await desk.inbox.reply(guest, "  Hola Ana, soy Marta. ¿En qué te ayudo?  ", PERSON, "k-1")
    assert not reply.template and reply.message["author"] == PERSON
    assert reply.message["text"] == "Hola Ana, soy Marta. ¿En qué te ayudo?"
    await desk.sender.run_once()
    sent = infra.graph.to(guest)[-1]
    assert (sent["type"], sent["text"]["body"]) == ("text", "Hola Ana, soy Marta. ¿En qué te ayudo?")
    assert await desk.waiting() == []

    # Reaching us after the reply, though WhatsApp's whole-second time says a bit before it.
    sent_at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    await desk.guest_says(guest, "quiero cambiar las fechas", sent_at)
    assert len(await desk.outbox(guest)) == 2  # a person answered: the bot still says nothing
    assert await desk.waiting() == [(guest, sent_at)]  # waiting again, since this message

    row, messages = await desk.inbox.conversation(guest, 20)
    assert row["handoff"] and row["last_text"] == "quiero cambiar las fechas"
    assert [(m["direction"], m["author"]) for m in messages] == [
        ("inbound", ""),
        ("outbound", ""),  # the bot
        ("inbound", ""),
        ("outbound", PERSON),
        ("inbound", ""),
    ]


async def test_handing_back_to_the_bot_ends_the_wait_and_the_bot_answers_again(desk: Desk) -> None:
    guest = new_phone()
    await desk.guest_says(guest, "quiero hablar con una persona")
    assert await desk.inbox.handoff(f"+{guest}", False) == guest
    assert await desk.waiting() == []
    await desk.guest_says(guest, "ayuda")
    assert [r["text"] for r in await desk.outbox(guest)] == [t.HANDOFF, t.HELP]


async def test_a_reply_to_a_conversation_with_the_bot_takes_it_over(desk: Desk) -> None:
    guest = new_phone()
    await desk.guest_says(guest, "ayuda")
    await desk.inbox.reply(guest, "Te escribo yo, Marta", PERSON, "")
    await desk.guest_says(guest, "ayuda")  # a person is on it: the bot must not answer over them
    assert [r["text"] for r in await desk.outbox(guest)] == [t.HELP, "Te escribo yo, Marta"]
    row, _ = await desk.inbox.conversation(guest, 20)
    assert row["handoff"] and (await desk.waiting())[0][0] == guest


async def test_outside_the_24_hour_window_the_template_goes_instead(desk: Desk, infra: Infra) -> None:
    guest = new_phone()
    await desk.guest_says(guest, "quiero hablar con una persona", datetime.now(UTC) - timedelta(hours=25))
    listed, _ = await desk.inbox.conversations(False, 100, 0)
    assert [r["phone"] for r in listed] == [guest]
    reply = await desk.inbox.reply(guest, "Perdón la demora, ¿seguís buscando?", PERSON, "k")
    assert reply.template and reply.message["type"] == "template"
    assert reply.message["text"] == "[plantilla retomar_conversacion] Perdón la demora, ¿seguís buscando?"
    await desk.sender.run_once()
    sent = infra.graph.to(guest)[-1]
    assert sent["type"] == "template" and sent["template"]["name"] == "retomar_conversacion"
    assert sent["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Ana"}]
    assert await desk.waiting() == []


async def test_a_retry_with_the_same_key_queues_nothing_more(desk: Desk) -> None:
    guest = new_phone()
    await desk.guest_says(guest, "hola")
    first = await desk.inbox.reply(guest, "Hola!", PERSON, "same")
    again = await desk.inbox.reply(guest, "Hola!", PERSON, "same")
    assert again == first
    assert [r["text"] for r in await desk.outbox(guest)].count("Hola!") == 1


@pytest.mark.parametrize(
    ("phone", "text", "actor", "kind", "reason"),
    [
        ("5491100000000", "hola", PERSON, Kind.NOT_FOUND, "NOT_FOUND"),  # never wrote to us
        ("11 5555-5555", "hola", PERSON, Kind.INVALID, "INVALID_PHONE"),
        ("GUEST", "   ", PERSON, Kind.INVALID, "INVALID_TEXT"),
        ("GUEST", "x" * 4097, PERSON, Kind.INVALID, "INVALID_TEXT"),
        ("GUEST", "hola", "", Kind.INVALID, "ACTOR_REQUIRED"),
    ],
)
async def test_bad_replies_are_refused_and_nothing_queued(
    desk: Desk, phone: str, text: str, actor: str, kind: Kind, reason: str
) -> None:
    guest = new_phone()
    await desk.guest_says(guest, "hola")
    before = await desk.outbox(guest)
    with pytest.raises(DomainError) as refused:
        await desk.inbox.reply(guest if phone == "GUEST" else phone, text, actor, "")
    assert (refused.value.kind, refused.value.reason) == (kind, reason)
    assert await desk.outbox(guest) == before


async def test_waiting_first_oldest_wait_first_then_the_rest_by_last_message(desk: Desk) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    quiet_old, quiet_new, waits_less, waits_more = (new_phone() for _ in range(4))
    await desk.guest_says(quiet_old, "hola", now - timedelta(hours=3))
    await desk.guest_says(waits_less, "quiero hablar con una persona", now - timedelta(minutes=10))
    await desk.guest_says(waits_more, "quiero hablar con una persona", now - timedelta(minutes=50))
    await desk.guest_says(quiet_new, "hola", now - timedelta(hours=1))
    listed, total = await desk.inbox.conversations(False, 100, 0)
    assert [r["phone"] for r in listed] == [waits_more, waits_less, quiet_new, quiet_old] and total == 4
    page, total = await desk.inbox.conversations(False, 2, 2)
    assert [r["phone"] for r in page] == [quiet_new, quiet_old] and total == 4
    assert [p for p, _ in await desk.waiting()] == [waits_more, waits_less]


async def test_an_unknown_phone_has_no_conversation(desk: Desk) -> None:
    for call in (desk.inbox.conversation("5491100000001", 20), desk.inbox.handoff("5491100000001", False)):
        with pytest.raises(DomainError) as refused:
            await call
        assert refused.value.kind is Kind.NOT_FOUND
