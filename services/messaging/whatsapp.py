"""WhatsApp Cloud API webhook payloads, normalised.

One delivery may batch several messages and statuses across entries and
changes: all are returned. Each inbound message gets a `text` the dialog can
read: the body, the caption of an image or document, the title (and id) of a
tapped button or list row; audio keeps its media id for transcription.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.common.errors import DomainError, Kind


class InvalidPayload(DomainError):
    """Not a WhatsApp webhook payload."""

    def __init__(self, message: str) -> None:
        super().__init__(Kind.INVALID, "INVALID_PAYLOAD", message)


@dataclass(frozen=True)
class Inbound:
    wamid: str
    phone: str
    name: str
    type: str  # text, audio, image, document, location, interactive, button, reaction, unsupported...
    text: str
    sent_at: datetime | None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def reply_id(self) -> str:
        """The id of the button or list row the guest tapped, if any."""
        return str(_chosen(self.payload).get("id") or _obj(self.payload.get("button")).get("payload") or "")


@dataclass(frozen=True)
class Status:
    wamid: str
    status: str
    at: datetime | None
    recipient: str
    errors: list[dict[str, Any]]


def _when(timestamp: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(timestamp), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _obj(value: Any) -> dict[str, Any]:
    """A nested object of the payload, or {} when something else was sent there."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """A nested array of the payload, or [] when something else was sent there."""
    return value if isinstance(value, list) else []


def _chosen(message: dict[str, Any]) -> dict[str, Any]:
    """The button or list row an interactive message answers."""
    interactive = _obj(message.get("interactive"))
    return _obj(interactive.get("button_reply")) or _obj(interactive.get("list_reply"))


def _text(message: dict[str, Any]) -> str:
    kind = message.get("type", "")
    if kind == "text":
        return str(_obj(message.get("text")).get("body", ""))
    if kind in ("image", "document", "video"):
        return str(_obj(message.get(kind)).get("caption", ""))
    if kind == "interactive":
        return str(_chosen(message).get("title", ""))
    if kind == "button":  # a template's quick reply
        return str(_obj(message.get("button")).get("text", ""))
    if kind == "location":
        place = _obj(message.get("location"))
        return str(place.get("name") or place.get("address") or "")
    return ""


def parse(raw: bytes) -> tuple[list[Inbound], list[Status]]:
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise InvalidPayload("the body is not JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
        raise InvalidPayload("no entry list")
    messages: list[Inbound] = []
    statuses: list[Status] = []
    for entry in body["entry"]:
        for change in _list(_obj(entry).get("changes")):
            value = _obj(_obj(change).get("value"))
            names = {
                str(c.get("wa_id")): _obj(c.get("profile")).get("name", "")
                for c in map(_obj, _list(value.get("contacts")))
            }
            for m in map(_obj, _list(value.get("messages"))):
                if not m.get("id") or not m.get("from"):
                    continue
                kind = str(m.get("type", "unsupported"))
                messages.append(
                    Inbound(
                        wamid=str(m["id"])[:200],
                        phone=str(m["from"])[:20],
                        name=str(names.get(str(m["from"]), ""))[:100],
                        type=kind[:20],
                        text=_text(m)[:4096],
                        sent_at=_when(m.get("timestamp")),
                        payload=m,
                    )
                )
            for st in map(_obj, _list(value.get("statuses"))):
                if st.get("id") and st.get("status"):
                    statuses.append(
                        Status(
                            str(st["id"])[:200],
                            str(st["status"])[:20],
                            _when(st.get("timestamp")),
                            str(st.get("recipient_id", ""))[:20],
                            [e for e in _list(st.get("errors")) if isinstance(e, dict)],
                        )
                    )
    return messages, statuses
