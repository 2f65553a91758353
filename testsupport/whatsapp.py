"""WhatsApp Cloud API webhooks as Meta sends them: the one builder of guest
messages and their envelope, for the tests, the benchmarks and `make chat`."""

import json
import time
import uuid
from typing import Any

from gateway.signatures import whatsapp_signature

PHONE_NUMBER_ID = "106540352242922"  # the business number the messages are sent to (WHATSAPP_PHONE_ID)


def _message(sender: str, kind: str, wamid: str | None, **content: Any) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid or f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": kind,
        **content,
    }


def text(sender: str, body: str, wamid: str | None = None) -> dict[str, Any]:
    """A text message from `sender`."""
    return _message(sender, "text", wamid, text={"body": body})


def choose(sender: str, reply_id: str, kind: str = "list_reply", title: str = "x") -> dict[str, Any]:
    """The guest's answer to a list (`list_reply`) or to reply buttons (`button_reply`)."""
    return _message(sender, "interactive", None, interactive={"type": kind, kind: {"id": reply_id, "title": title}})


def envelope(*messages: dict[str, Any], name: str = "Ana Pérez", statuses: list[dict[str, Any]] | None = None) -> bytes:
    """The webhook body carrying `messages` (the first sender's profile named `name`) and `statuses`."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": m["from"]} for m in messages[:1]],
        "messages": list(messages),
        "statuses": statuses or [],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


def signed(secret: str | None, raw: bytes) -> dict[str, str]:
    """The headers Meta sends with `raw`: signed (X-Hub-Signature-256) with the app secret, when there is one."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Hub-Signature-256"] = whatsapp_signature(secret, raw)
    return headers
