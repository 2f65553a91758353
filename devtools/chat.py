"""`make chat`: be a guest on WhatsApp from the terminal, against the running system.

Type as a guest; answer a button or list with its number. Each line is posted
to the gateway as a webhook signed exactly as Meta signs them
(WHATSAPP_APP_SECRET), and the bot's replies are read from the outbox
(the local sandbox when no WhatsApp token is set).
"""

import json
import os
import sys
import time
from typing import Any

import grpc
import httpx

from cabanas.v1 import messaging_pb2, messaging_pb2_grpc
from services.common.settings import get_settings
from services.messaging.interactive import Outgoing, choices_of
from testsupport import whatsapp

WAIT_SECONDS = 15


def show(reply: messaging_pb2.OutboxMessage) -> list[tuple[str, str]]:
    """Print a reply; return its choices (id, title) for the next answer."""
    payload = json.loads(reply.payload_json)
    out = Outgoing(reply.type, payload, reply.text)
    choices = choices_of(out) if reply.type == "interactive" else []
    body = (
        payload.get("text", {}).get("body") or payload.get("interactive", {}).get("body", {}).get("text") or reply.text
    )
    print(f"\nbot> {body}")
    for n, (_, title) in enumerate(choices, 1):
        print(f"     [{n}] {title}")
    return choices


def _message(phone: str, line: str, choices: list[tuple[str, str]]) -> dict[str, Any]:
    """What the guest typed: the number of one of the last choices answers it, anything else is text."""
    if not (line.isdigit() and 0 < int(line) <= len(choices)):
        return whatsapp.text(phone, line)
    reply_id, title = choices[int(line) - 1]
    kind = "button_reply" if len(choices) <= 3 and not reply_id.startswith("cabin:") else "list_reply"
    return whatsapp.choose(phone, reply_id, kind, title)


def main() -> None:
    settings = get_settings()
    phone = os.environ.get("CHAT_PHONE", "5491100000000")
    gateway = f"http://localhost:{settings.gateway_port}/api/v1/webhooks/whatsapp"
    secret = settings.whatsapp_app_secret.get_secret_value() if settings.whatsapp_app_secret else None
    outbox = messaging_pb2_grpc.MessagingServiceStub(grpc.insecure_channel(settings.messaging_addr))
    last = max(
        (m.id for m in outbox.ListOutbox(messaging_pb2.ListOutboxRequest(phone=phone, limit=500)).messages), default=0
    )
    choices: list[tuple[str, str]] = []
    print(f"Chateando como +{phone} (Ctrl-D para salir). Escribí como un huésped; elegí botones con su número.")
    while True:
        try:
            line = input("\nvos> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not line:
            continue
        raw = whatsapp.envelope(_message(phone, line, choices), name="Huésped de prueba")
        try:
            sent = httpx.post(gateway, content=raw, headers=whatsapp.signed(secret, raw), timeout=10)
        except httpx.HTTPError as exc:
            sys.exit(f"the gateway does not answer at {gateway} ({exc}); is `make run` running?")
        if sent.status_code != 200:
            print(f"(the gateway answered {sent.status_code}: {sent.text})")
            continue
        deadline = time.monotonic() + WAIT_SECONDS
        got = False
        while time.monotonic() < deadline and not got:
            for reply in outbox.ListOutbox(messaging_pb2.ListOutboxRequest(phone=phone, after_id=last)).messages:
                choices, last, got = show(reply), reply.id, True
            time.sleep(0.3)
        if not got:
            print("(sin respuesta todavía)")


if __name__ == "__main__":
    main()
