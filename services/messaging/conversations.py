"""Turning stored messages into replies, and replies into WhatsApp messages.

`Worker`: each guest's messages in order (a Postgres advisory lock per phone:
no two workers on one guest, all guests in parallel). A message's replies are
queued and the message marked processed in one transaction, so a crash
before the commit replays it and a crash after it sends nothing twice (each
reply has a unique key). When booking or payments is down the message waits
and is retried, however long that takes; the guest's later messages wait
behind it. A message that fails for any other reason (a payload or a dialog
state the code cannot handle) is dead-lettered after MAX_ATTEMPTS such
failures: the guest gets one apology, the owner an alert (an ERROR log line and
`messaging_dead_letters_total`), and the guest's next messages go on.

`Sender`: sends queued replies one at a time per guest, oldest first. Without
`WHATSAPP_ACCESS_TOKEN` nothing is sent: replies stay in the outbox as the
local sandbox (`ListOutbox`, `make chat`).
"""

import asyncio
import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg
import redis.asyncio as aioredis
from prometheus_client import Counter, Gauge, Histogram

from services.common import workloop
from services.common.db import Conn, record_outcome
from services.common.errors import DomainError, Kind
from services.common.telemetry import continued
from services.messaging import dialog, nlu, store, whatsapp
from services.messaging import interactive as ui
from services.messaging import templates as t
from services.messaging.graph import SendError, WhatsApp
from services.messaging.inbox import alert_waiting
from services.messaging.ports import Backend
from services.messaging.whatsapp import Inbound

log = logging.getLogger(__name__)
STATE_TTL_SECONDS = 24 * 3600
MAX_ATTEMPTS = 5  # failures of its own before a message is dead-lettered (1+2+4+8 s of retries first)
OUTAGES = {"UNAVAILABLE", "DEADLINE_EXCEEDED"}  # reasons of a DomainError meaning "that service did not answer"
SEND_LEASE = store.SEND_LEASE_SECONDS
MESSAGES = Counter("whatsapp_messages_total", "WhatsApp messages received and sent", ["direction", "type"])
REPLY_SECONDS = Histogram(
    "whatsapp_reply_seconds",
    "From a guest's message reaching us to the first reply accepted by WhatsApp",
    ["kind"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 60, 120),
)
INBOX_PENDING = Gauge("messaging_inbox_pending", "Guest messages stored and not answered yet")
OUTBOX_PENDING = Gauge("whatsapp_outbox_pending", "Messages queued for WhatsApp and not sent yet")
DEAD_LETTERS = Counter("messaging_dead_letters", "Guest messages given up on after failing MAX_ATTEMPTS times")


def _outage(exc: Exception) -> bool:
    """Booking or payments did not answer: not the message's own failure."""
    return isinstance(exc, DomainError) and exc.kind is Kind.UNAVAILABLE and exc.reason in OUTAGES


class WorkLoop(workloop.WorkLoop):
    IDLE_SECONDS = 0.5  # a guest waits on it


@dataclass(frozen=True)
class Received:
    """What a webhook delivery brought: new and already stored message ids, statuses recorded."""

    new: list[str]
    duplicate: list[str]
    statuses: int


class Listener(Protocol):
    """Turns a voice note into text: (transcript, confidence); raises when it cannot."""

    async def __call__(self, msg: Inbound) -> tuple[str, float]: ...


def _consent(msg: Inbound, conversation: asyncpg.Record | None) -> dialog.Turn | None:
    """The answer to "no me escriban más" / STOP, recorded with it (the answer to their own message
    is all an opted-out guest still gets from us), or to "alta" from a guest who had asked; None
    for any other message."""
    said = nlu.consent(msg.text) if msg.type == "text" else None
    if said == "out" or (said == "in" and conversation and conversation["opted_out_at"]):
        return dialog.Turn([ui.text(t.OPTED_OUT if said == "out" else t.OPTED_IN)], {}, opted_out=said == "out")
    return None


class Worker(WorkLoop):
    def __init__(
        self,
        pool: asyncpg.Pool,
        redis: aioredis.Redis | None,
        backend: Backend,
        sandbox: bool,
        sender: WorkLoop,
        listen: Listener,
        min_confidence: float,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__()
        self.pool, self.redis, self.backend, self.sandbox, self.sender = pool, redis, backend, sandbox, sender
        self.listen, self.min_confidence, self.max_attempts = listen, min_confidence, max_attempts
        self.parallel = asyncio.Semaphore(8)

    async def receive(self, raw: bytes, traceparent: str) -> Received:
        """Store a webhook delivery (a redelivery changes nothing); replies follow after the acknowledgement."""
        messages, statuses = whatsapp.parse(raw)
        async with self.pool.acquire() as conn, conn.transaction():
            new, duplicate = await store.store_inbound(conn, messages, traceparent)
            recorded = await store.store_statuses(conn, statuses)
        for m in messages:
            if m.wamid in new:
                MESSAGES.labels("in", m.type).inc()
        if new:
            self.kick()  # durable now
        return Received(new, duplicate, recorded)

    async def run_once(self) -> bool:
        async with self.pool.acquire() as conn:
            phones = await store.phones_with_work(conn, 50)
            inbox, outbox = await store.backlog(conn)
        INBOX_PENDING.set(inbox)
        OUTBOX_PENDING.set(outbox)
        await asyncio.gather(*(self._guest(phone) for phone in phones))
        return bool(phones)

    async def _guest(self, phone: str) -> None:
        async with self.parallel, self.pool.acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"wa:{phone}"):
                return  # another worker has this guest
            try:
                while (row := await store.next_inbound(conn, phone)) and row["next_attempt_at"] <= datetime.now(UTC):
                    with continued("whatsapp.message", row["traceparent"]):  # in the webhook's trace
                        handled = await self._handle(conn, row)
                    if not handled:
                        break  # keep the guest's order: later messages wait for this one
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"wa:{phone}")

    async def _state(self, phone: str) -> dict[str, Any]:
        if self.redis is None:
            return {}
        try:
            state: dict[str, Any] = json.loads(await self.redis.get(f"messaging:dialog:{phone}") or "{}")
            return state
        except (aioredis.RedisError, OSError, ValueError):
            log.warning("dialog state unavailable; starting fresh")
            return {}

    async def _keep_state(self, phone: str, state: dict[str, Any] | None) -> None:
        """Save the dialog state for the next message; None forgets it."""
        if self.redis is None:
            return
        key = f"messaging:dialog:{phone}"
        try:
            if state is None:
                await self.redis.delete(key)
            else:
                await self.redis.set(key, json.dumps(state), ex=STATE_TTL_SECONDS)
        except (aioredis.RedisError, OSError):
            log.warning("dialog state not saved")

    async def _hear(self, msg: Inbound) -> str | None:
        """The transcript of a voice note, or None when it cannot be trusted (low
        confidence, no speech, media or speech service unavailable)."""
        try:
            text, confidence = await self.listen(msg)
        except Exception as exc:  # noqa: BLE001 - any failure: ask the guest to write instead
            log.warning("voice note %s not transcribed: %s", msg.wamid, exc)
            return None
        return text if text.strip() and confidence >= self.min_confidence else None

    async def _handle(self, conn: Conn, row: asyncpg.Record) -> bool:
        """Answer one message; False when it failed and waits for its next attempt."""
        msg = Inbound(row["wamid"], row["phone"], row["name"], row["type"], row["text"], row["sent_at"], row["payload"])
        conversation = await store.conversation(conn, msg.phone)
        try:
            if (consented := _consent(msg, conversation)) is not None:
                turn = consented  # even while a person has the conversation: it is about all of our messages
            elif conversation and conversation["handoff"]:
                turn = dialog.Turn([], {})
            else:
                turn = await self._turn(msg)
        except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered: never dropped, never blocking for good
            return await self._failed(conn, row, msg, exc)
        await self._answer(conn, row, msg, turn)
        return True

    async def _failed(self, conn: Conn, row: asyncpg.Record, msg: Inbound, exc: Exception) -> bool:
        """Retry later (booking or payments down: however long it takes), or dead-letter the message
        once it failed `max_attempts` times of its own; True when the guest's next messages may go on."""
        error = f"{type(exc).__name__}: {exc}"
        own = not _outage(exc)
        if own and row["failures"] + 1 >= self.max_attempts:
            DEAD_LETTERS.inc()
            log.error(
                "message %s dead-lettered after %s attempts: %s",
                row["id"],
                row["attempts"] + 1,
                error,
                extra={"inbox_id": row["id"], "dead_letter": True},
            )
            await self._answer(conn, row, msg, dialog.Turn([ui.text(t.SORRY)], {}), dead_letter=error)
            await self._keep_state(msg.phone, None)  # the state may be what fails: the next message starts afresh
            return True
        delay = min(2 ** row["attempts"], 300)
        log.warning("message %s deferred %ss: %s", msg.wamid, delay, exc)
        await store.defer(conn, row["id"], delay, error, own)
        return False

    async def _answer(
        self, conn: Conn, row: asyncpg.Record, msg: Inbound, turn: dialog.Turn, dead_letter: str | None = None
    ) -> None:
        """Queue the turn's replies and mark the message processed (or dead-lettered with that error),
        in one transaction."""
        async with conn.transaction():
            for n, out in enumerate(turn.replies):
                status = "sandbox" if self.sandbox else "queued"
                await store.enqueue(
                    conn, msg.phone, out, status, f"reply:{msg.wamid}:{n}", answers=row if n == 0 else None
                )
            at = msg.sent_at or datetime.now(UTC)
            handoff = True if turn.handoff else None
            waits = await store.touch_conversation(conn, msg.phone, msg.name, at, handoff, row["received_at"])
            if waits is not None:  # the guest starts waiting for a person: the team hears it with this message
                await alert_waiting(conn, msg.phone, msg.name, msg.text, waits)
            if turn.opted_out is not None:
                await store.set_opted_out(conn, msg.phone, turn.opted_out)
            if dead_letter is None:
                await store.mark_processed(conn, row["id"])
            else:
                await store.dead_letter(conn, row["id"], dead_letter)
        if turn.state:
            await self._keep_state(msg.phone, turn.state)
        self.sender.kick()

    async def _turn(self, msg: Inbound) -> dialog.Turn:
        """The bot's answer; a voice note is answered like its transcript, echoed briefly."""
        heard = None
        if msg.type == "audio":
            heard = await self._hear(msg)
            if heard is None:
                return dialog.Turn([ui.text(t.WRITE_IT)], {})
            msg = replace(msg, type="text", text=heard)
        turn = await dialog.respond(
            msg, await self._state(msg.phone), self.backend, datetime.now(dialog.GUEST_ZONE).date()
        )
        if heard and turn.replies:
            turn.replies[0] = ui.with_preface(turn.replies[0], t.HEARD.format(text=heard))
        return turn


class Sender(WorkLoop):
    def __init__(self, pool: asyncpg.Pool, whatsapp: WhatsApp | None) -> None:
        super().__init__()
        self.pool, self.whatsapp = pool, whatsapp

    async def run_once(self) -> bool:
        if self.whatsapp is None:
            return False
        claimed: list[asyncpg.Record] = []
        try:
            async with self.pool.acquire() as conn:
                claimed = await store.claim_sends(conn)
        finally:  # what was claimed is sent even when handing the connection back fails
            await asyncio.gather(*(self._send(row) for row in claimed))
        return bool(claimed)

    async def _send(self, row: asyncpg.Record) -> None:
        assert self.whatsapp is not None
        try:
            wamid = await self.whatsapp.send(row["phone"], row["payload"])
        except SendError as exc:
            log.warning("send %s to guest failed: %s", row["id"], exc)
            await record_outcome(self.pool, store.send_failed, row["id"], str(exc), exc.retry_in, within=SEND_LEASE / 2)
            return
        # Sent: recorded even across a database restart, or the lease would end and the guest get it twice.
        await record_outcome(self.pool, store.sent, row["id"], wamid, within=SEND_LEASE / 2)
        MESSAGES.labels("out", row["type"]).inc()
        if row["answers_received_at"] is not None:
            kind = "audio" if row["answers_type"] == "audio" else "text"
            REPLY_SECONDS.labels(kind).observe((datetime.now(UTC) - row["answers_received_at"]).total_seconds())
        log.info("sent", extra={"outbox_id": row["id"], "wamid": wamid})
