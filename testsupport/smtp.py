"""A real SMTP server in the test process (aiosmtpd, on its own thread): it keeps what arrived,
parsed, and can refuse recipients for good (5xx) or once (4xx, then accept), as real servers do."""

import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from devtools.embedded import free_port

REFUSED_DOMAIN = "rebota.invalid"  # every recipient there is refused for good: a bounce at submission
NO_MAILBOX = "550 5.1.1 No existe esa casilla"
TRY_LATER = "451 4.3.0 Probá más tarde"


@dataclass
class Received:
    """One delivery: the envelope and the message as it arrived."""

    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    """`refuse`: recipient -> the 5xx reply it gets; `defer_once`: recipients answered 451 the first
    time. Recipients at REFUSED_DOMAIN always get NO_MAILBOX."""

    refuse: dict[str, str] = field(default_factory=dict)
    defer_once: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [r.message for r in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        """What arrived for `address`, oldest first."""
        with self._lock:
            return [r.message for r in self.received if address in r.recipients]

    def start(self) -> "SmtpServer":
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def reply_to_recipient(self, address: str) -> str | None:
        """The refusal `address` gets now, or None to accept it."""
        with self._lock:
            if address in self.defer_once:
                self.defer_once.discard(address)
                return TRY_LATER
        if address.rpartition("@")[2].lower() == REFUSED_DOMAIN:
            return NO_MAILBOX
        return self.refuse.get(address)

    def keep(self, sender: str, recipients: list[str], content: bytes) -> None:
        message = message_from_bytes(content, policy=policy.default)
        with self._lock:
            self.received.append(Received(sender, recipients, message))


class _Handler:
    """aiosmtpd's hooks (called on the server's thread)."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any) -> str:
        refusal = self.server.reply_to_recipient(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.server.keep(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"
