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
        interactive = self.payload.get("interactive", {})
        chosen = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(chosen.get("id") or self.payload.get("button", {}).get("payload") or "")


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


def _text(message: dict[str, Any]) -> str:
    kind = message.get("type", "")
    if kind == "text":
        return str(message.get("text", {}).get("body", ""))
    if kind in ("image", "document", "video"):
        return str(message.get(kind, {}).get("caption", ""))
    if kind == "interactive":
        interactive = message.get("interactive", {})
        chosen = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(chosen.get("title", ""))
    if kind == "button":  # a template's quick reply
        return str(message.get("button", {}).get("text", ""))
    if kind == "location":
        place = message.get("location", {})
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
        for change in entry.get("changes", []) if isinstance(entry, dict) else []:
            value = change.get("value", {}) if isinstance(change, dict) else {}
            names = {c.get("wa_id"): c.get("profile", {}).get("name", "") for c in value.get("contacts", []) or []}
            for m in value.get("messages", []) or []:
                if not isinstance(m, dict) or not m.get("id") or not m.get("from"):
                    continue
                kind = str(m.get("type", "unsupported"))
                messages.append(
                    Inbound(
                        wamid=str(m["id"])[:200],
                        phone=str(m["from"])[:20],
                        name=str(names.get(m["from"], ""))[:100],
                        type=kind[:20],
                        text=_text(m)[:4096],
                        sent_at=_when(m.get("timestamp")),
                        payload=m,
                    )
                )
            for s in value.get("statuses", []) or []:
                if isinstance(s, dict) and s.get("id") and s.get("status"):
                    statuses.append(
                        Status(
                            str(s["id"])[:200],
                            str(s["status"])[:20],
                            _when(s.get("timestamp")),
                            str(s.get("recipient_id", ""))[:20],
                            list(s.get("errors", []) or []),
                        )
                    )
    return messages, statuses
