"""The messaging service's parts, built once Postgres and Redis are connected."""

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
import redis.asyncio as aioredis

from services.common.grpc_server import App, Loop, Runtime
from services.common.settings import Settings
from services.messaging import adapters
from services.messaging.alerts import Alerts
from services.messaging.cabins import CabinNames
from services.messaging.conversations import Sender, Worker
from services.messaging.graph import WhatsApp
from services.messaging.inbox import Inbox
from services.messaging.journey import Journey
from services.messaging.mailer import Mailer
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
    mailer: Mailer  # the e-mail outbox; without SMTP_HOST (the sandbox) nothing is sent
    alerts: Alerts  # the team's: owner and staff
    journey: Journey  # the guest's time-based messages: balance, check-in, check-out, review
    cabin_names: CabinNames
    settings: Settings

    def loops(self) -> dict[str, Loop]:
        return {
            "work": self.worker.run,
            "send": self.sender.run,
            "notify_bookings": self.notifier.follow_booking,
            "notify_payments": self.notifier.follow_payments,
            "remind": self.notifier.remind,
            "mail": self.mailer.run,
            "alert_bookings": self.alerts.follow_booking,
            "alert_payments": self.alerts.follow_payments,
            "alert_feeds": self.alerts.watch_feeds,
            "alert": self.alerts.deliver,
            "journey_plan": self.journey.follow,
            "journey_send": self.journey.run,
        }

    async def close(self) -> None:
        if self.whatsapp is not None:
            await self.whatsapp.http.aclose()


def _both(*kicks: Callable[[], None]) -> Callable[[], None]:
    """Wakes every sender: the notifier queues WhatsApp messages and e-mails."""

    def kick() -> None:
        for k in kicks:
            k()

    return kick


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
    mailer = Mailer(db, s)
    notifier = Notifier(db, s, ports.feeds, sandbox, kick=_both(sender.kick, mailer.kick))
    return MessagingApp(
        db=db,
        redis=runtime.redis,
        ports=ports,
        whatsapp=whatsapp,
        sender=sender,
        worker=worker,
        notifier=notifier,
        inbox=Inbox(db, s, sandbox, sender.kick),
        mailer=mailer,
        alerts=Alerts(db, s, ports.feeds, ports.team, ports.calendars, notifier, (sender.kick, mailer.kick)),
        journey=Journey(db, s, ports.feeds, notifier),
        cabin_names=CabinNames(ports.backend),
        settings=s,
    )
