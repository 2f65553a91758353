"""The messaging service's parts, built once Postgres and Redis are connected."""

from dataclasses import dataclass

import asyncpg
import redis.asyncio as aioredis

from services.common.grpc_server import App, Loop, Runtime
from services.common.settings import Settings
from services.messaging import adapters
from services.messaging.cabins import CabinNames
from services.messaging.conversations import Sender, Worker
from services.messaging.graph import WhatsApp
from services.messaging.inbox import Inbox
from services.messaging.notify import Notifier
from services.messaging.ports import Ports
from services.messaging.voice import VoiceNotes


@dataclass
class MessagingApp(App):
    db: asyncpg.Pool
    redis: aioredis.Redis | None
    ports: Ports
    whatsapp: WhatsApp | None  # None without WHATSAPP_ACCESS_TOKEN: replies stay in the outbox (the sandbox)
    sender: Sender
    worker: Worker
    notifier: Notifier
    inbox: Inbox  # the owner's side: who waits, a person's replies
    cabin_names: CabinNames
    settings: Settings

    def loops(self) -> dict[str, Loop]:
        return {
            "work": self.worker.run,
            "send": self.sender.run,
            "notify_bookings": self.notifier.follow_booking,
            "notify_payments": self.notifier.follow_payments,
            "remind": self.notifier.remind,
        }

    async def close(self) -> None:
        if self.whatsapp is not None:
            await self.whatsapp.http.aclose()


async def build(runtime: Runtime) -> MessagingApp:
    s, db = runtime.settings, runtime.db
    ports = adapters.ports(s)
    token = s.whatsapp_access_token
    whatsapp = WhatsApp(s.whatsapp_api_base, s.whatsapp_phone_id, token.get_secret_value()) if token else None
    sandbox = whatsapp is None
    sender = Sender(db, whatsapp)
    listen = VoiceNotes(whatsapp, ports.speech)
    worker = Worker(
        db, runtime.redis, ports.backend, sandbox, sender, listen, s.audio_min_confidence, s.messaging_max_attempts
    )
    notifier = Notifier(db, s, ports.feeds, sandbox, sender.kick)
    return MessagingApp(
        db=db,
        redis=runtime.redis,
        ports=ports,
        whatsapp=whatsapp,
        sender=sender,
        worker=worker,
        notifier=notifier,
        inbox=Inbox(db, s, sandbox, sender.kick),
        cabin_names=CabinNames(ports.backend),
        settings=s,
    )
