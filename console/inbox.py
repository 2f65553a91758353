"""What /mensajes shows: conversations (those waiting for a person first), a conversation as chat
bubbles with who wrote each, and the opaque id that names a conversation in our URLs.
Transport-free: the page converts the services' answers to `Chat` and `Message`.

Why an opaque id, not the phone: a path reaches places our log redaction does not (the Ingress
controller's access log, the browser's history and bookmarks), and the issue asks for no guest data
in URLs. The standard library has no cipher, so the id is a deterministic authenticated encryption
built from HMAC-SHA256 alone, SIV-style: tag = PRF(phone), phone XOR PRF(tag). The same phone
always gives the same URL, the URL shows nothing of the phone, and an edited or forged id opens
nothing (its tag does not verify). The key is CONSOLE_SECRET (app.state.csrf_key); each use of it
has its own label, so an id is never a valid CSRF token or the other way round."""

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

TAG_BYTES = 16
MAX_PHONE_BYTES = 32  # one HMAC-SHA256 block of key stream; E.164 has at most 15 digits
USER_PREFIX = "user:"


def _prf(key: bytes, label: bytes, data: bytes) -> bytes:
    return hmac.new(key, b"cabanas-conversation-" + label + b"\0" + data, hashlib.sha256).digest()


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def conversation_id(key: bytes, phone: str) -> str:
    """The URL-safe id of `phone`'s conversation."""
    data = phone.encode()[:MAX_PHONE_BYTES]
    tag = _prf(key, b"tag", data)[:TAG_BYTES]
    sealed = tag + _xor(data, _prf(key, b"stream", tag))
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def phone_of(key: bytes, token: str) -> str | None:
    """The phone an id of ours names; None for anything we did not make."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if not TAG_BYTES < len(raw) <= TAG_BYTES + MAX_PHONE_BYTES:
        return None
    tag, sealed = raw[:TAG_BYTES], raw[TAG_BYTES:]
    data = _xor(sealed, _prf(key, b"stream", tag))
    if not hmac.compare_digest(tag, _prf(key, b"tag", data)[:TAG_BYTES]):
        return None
    return data.decode(errors="replace")


@dataclass(frozen=True)
class Chat:
    """One conversation in a list."""

    id: str  # conversation_id of the phone
    phone: str
    name: str  # the guest's WhatsApp profile name; may be empty
    last_text: str
    waiting_since: datetime | None  # set while the guest waits for a person
    handoff: bool  # a person handles it: the bot stays quiet

    @property
    def title(self) -> str:
        return self.name or f"+{self.phone.lstrip('+')}"


def waiting_first(chats: Iterable[Chat]) -> tuple[list[Chat], list[Chat]]:
    """(those waiting for a person, the longest wait first; the rest in the order given)."""
    listed = list(chats)
    waiting = sorted((chat for chat in listed if chat.waiting_since), key=lambda chat: chat.waiting_since or 0)
    return waiting, [chat for chat in listed if not chat.waiting_since]


@dataclass(frozen=True)
class Message:
    """A message as the services give it."""

    inbound: bool
    text: str
    at: datetime | None
    author: str  # outbound: "" the bot, "user:<id>" a console user, "admin:<sub>" the admin API
    status: str = ""


@dataclass(frozen=True)
class Bubble:
    """A message as the page shows it: the guest's on one side, ours on the other, signed."""

    text: str
    at: datetime | None
    by: str  # "guest", "bot" or "person"
    name: str  # the person's name; "" when unknown (a user no longer found, the admin API)
    failed: bool  # WhatsApp did not take it


def user_ids(messages: Iterable[Message]) -> set[int]:
    """The console users who wrote some of `messages` (whose names the page looks up)."""
    return {user for message in messages if (user := _user(message.author)) is not None}


def _user(author: str) -> int | None:
    number = author.removeprefix(USER_PREFIX)
    return int(number) if author.startswith(USER_PREFIX) and number.isdigit() else None


def bubbles(messages: Iterable[Message], names: Mapping[int, str]) -> list[Bubble]:
    """Each message signed: the guest, the bot, or the person who wrote it (by name when known)."""

    def bubble(message: Message) -> Bubble:
        failed = message.status == "failed"
        if message.inbound:
            return Bubble(message.text, message.at, "guest", "", failed)
        if not message.author:
            return Bubble(message.text, message.at, "bot", "", failed)
        user = _user(message.author)
        return Bubble(message.text, message.at, "person", names.get(user, "") if user else "", failed)

    return [bubble(message) for message in messages]
