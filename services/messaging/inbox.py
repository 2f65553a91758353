"""The owner's inbox: who waits for a person, and a person's replies.

A guest waits for a person from their first message after the conversation went to a person
(they asked for one, or the bot could not answer them) or after a person last answered them,
until a person answers again or hands the conversation back to the bot. A person's reply takes
the conversation over (the bot stays quiet until it is handed back) and goes out as typed
inside WhatsApp's 24-hour window; outside it Meta refuses free text (131047), so the approved
re-engagement template (`WHATSAPP_TEMPLATE_REPLY`) goes instead: the guest's answer reopens
the window. A retry with the same idempotency key queues nothing more.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from services.common.db import Conn
from services.common.errors import invalid, not_found
from services.common.settings import Settings
from services.messaging import interactive as ui
from services.messaging import store
from services.messaging import templates as t

WINDOW = timedelta(hours=24)
MAX_TEXT = 4096  # a text body's limit
MAX_KEY = 200
MAX_QUOTE = 200  # characters of the guest's message quoted in the team's alert
_PHONE = re.compile(r"^\d{6,15}$")


async def alert_waiting(conn: Conn, phone: str, name: str, text: str, since: datetime) -> None:
    """Tell the team that a guest started waiting for a person, with their last message (alerts.py
    delivers it): once per wait, in the caller's transaction."""
    quote = " ".join(text.split())
    quote = quote if len(quote) <= MAX_QUOTE else quote[: MAX_QUOTE - 1].rstrip() + "…"
    said = t.ALERT_SAID.format(text=quote) if quote else ""
    line = t.ALERT_GUEST_WAITING.format(guest=name or "Un huésped", phone=phone, said=said)
    await store.record_alert(conn, "guest_waiting", f"alert:waiting:{phone}:{since.isoformat()}", [line], "/mensajes")


def window_open(last_inbound_at: datetime | None) -> bool:
    """Whether free text may go: the guest wrote within the last 24 hours."""
    return last_inbound_at is not None and datetime.now(UTC) - last_inbound_at < WINDOW


def phone(raw: str) -> str:
    """The number as WhatsApp writes it (digits, no "+"); INVALID_ARGUMENT for anything else."""
    digits = raw.strip().removeprefix("+")
    if not _PHONE.match(digits):
        raise invalid("INVALID_PHONE", "El teléfono va con código de país, solo números: 5491155555555.")
    return digits


def _never_wrote() -> Exception:
    return not_found("Ese número no nos escribió por WhatsApp.")


@dataclass(frozen=True)
class Reply:
    """A queued reply (shaped as `store.recent`'s messages) and whether the template went instead."""

    message: dict[str, Any]
    template: bool


class Inbox:
    def __init__(self, pool: asyncpg.Pool, settings: Settings, sandbox: bool, kick: Callable[[], None]) -> None:
        self.pool, self.settings, self.sandbox, self.kick = pool, settings, sandbox, kick

    async def conversation(self, raw_phone: str, limit: int) -> tuple[asyncpg.Record, list[dict[str, Any]]]:
        """The conversation and its `limit` latest messages, oldest first."""
        number = phone(raw_phone)
        async with self.pool.acquire() as conn:
            row = await store.conversation(conn, number)
            if row is None:
                raise _never_wrote()
            return row, await store.recent(conn, number, limit)

    async def conversations(self, waiting_only: bool, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
        async with self.pool.acquire() as conn:
            return await store.conversations(conn, waiting_only, limit, offset)

    async def handoff(self, raw_phone: str, active: bool) -> str:
        """A person takes the conversation over, or gives it back to the bot (nobody waits then)."""
        number = phone(raw_phone)
        async with self.pool.acquire() as conn:
            if not await store.set_handoff(conn, number, active):
                raise _never_wrote()
        return number

    async def reply(self, raw_phone: str, text: str, actor: str, key: str) -> Reply:
        number, text = phone(raw_phone), text.strip()
        if not text or len(text) > MAX_TEXT:
            raise invalid("INVALID_TEXT", f"Escribí un mensaje de 1 a {MAX_TEXT} caracteres.")
        if not actor:
            raise invalid("ACTOR_REQUIRED", "Falta quién escribe la respuesta.")
        if len(key) > MAX_KEY:
            raise invalid(
                "INVALID_IDEMPOTENCY_KEY", f"La clave de idempotencia puede tener hasta {MAX_KEY} caracteres."
            )
        dedupe_key = f"person:{number}:{key or uuid.uuid4().hex}"
        async with self.pool.acquire() as conn, conn.transaction():
            conversation = await store.conversation(conn, number)
            if conversation is None or conversation["last_inbound_at"] is None:
                raise _never_wrote()
            out = ui.text(text) if window_open(conversation["last_inbound_at"]) else self._reopen(conversation, text)
            status = "sandbox" if self.sandbox else "queued"
            if await store.enqueue(conn, number, out, status, dedupe_key, author=actor):
                await store.replied(conn, number)
            message = await store.queued(conn, dedupe_key)
        self.kick()
        return Reply(message, message["type"] == "template")

    def _reopen(self, conversation: asyncpg.Record, text: str) -> ui.Outgoing:
        """The re-engagement template, addressed by the guest's first name; `text` is what it stands for."""
        name = conversation["name"].split(" ")[0] or "hola"
        s = self.settings
        return ui.template(s.whatsapp_template_reply, s.whatsapp_template_language, [name], text)
