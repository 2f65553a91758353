"""gRPC adapter of the messaging service."""

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import grpc

from cabanas.v1 import (
    booking_pb2_grpc,
    messaging_pb2,
    messaging_pb2_grpc,
    payments_pb2_grpc,
    speech_pb2,
    speech_pb2_grpc,
)
from services.common import pb
from services.common.grpc_clients import channel
from services.common.grpc_server import Runtime, Service, abort_with_reason
from services.messaging import conversations, nlu, store, whatsapp
from services.messaging.backend import GrpcBackend
from services.messaging.graph import MediaError, WhatsApp, fetch_media
from services.messaging.notify import Notifier

INTENTS = {name: value for value, name in enumerate(
    ["unknown", "greeting", "availability", "reserve", "price", "info", "my_reservations", "cancel", "pay", "help", "human", "thanks"]
)}  # fmt: skip
CABINS_TTL_SECONDS = 60


class MessagingServicer(messaging_pb2_grpc.MessagingServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        s = runtime.settings
        self.booking = booking_pb2_grpc.BookingServiceStub(channel(s.booking_addr))
        self.payments = payments_pb2_grpc.PaymentsServiceStub(channel(s.payments_addr, 10.0))
        self.backend = GrpcBackend(self.booking, self.payments)
        self.speech = speech_pb2_grpc.SpeechServiceStub(channel(s.speech_addr, 60.0))
        token = s.whatsapp_access_token
        self.whatsapp = WhatsApp(s.whatsapp_api_base, s.whatsapp_phone_id, token.get_secret_value()) if token else None
        self._cabins: tuple[float, dict[str, str]] = (0.0, {})
        self._loops: tuple[conversations.Worker, conversations.Sender, Notifier] | None = None

    def loops(self) -> tuple[conversations.Worker, conversations.Sender, Notifier]:
        """The worker, the sender and the notifier, built once the database is connected."""
        if self._loops is None:
            db, sandbox = self.runtime.db, self.whatsapp is None
            sender = conversations.Sender(db, self.whatsapp)
            worker = conversations.Worker(
                db,
                self.runtime.redis,
                self.backend,
                sandbox,
                sender,
                self.listen,
                self.runtime.settings.audio_min_confidence,
            )
            notifier = Notifier(db, self.runtime.settings, self.booking, self.payments, sandbox, sender.kick)
            self._loops = (worker, sender, notifier)
        return self._loops

    async def listen(self, msg: whatsapp.Inbound) -> tuple[str, float]:
        """A voice note's (transcript, confidence): media fetched at once (its URL
        expires in 5 minutes), then transcribed by the speech service."""
        if self.whatsapp is None:
            raise MediaError("without a WhatsApp token media cannot be fetched")
        audio = msg.payload.get("audio", {})
        data = await fetch_media(self.whatsapp, str(audio.get("id", "")), str(audio.get("sha256", "")))
        reply = await self.speech.Transcribe(
            speech_pb2.TranscribeRequest(audio=data, mime_type=str(audio.get("mime_type", "")), language_hint="es")
        )
        return reply.text, reply.confidence

    async def HandleWhatsAppWebhook(self, request: Any, context: Any) -> messaging_pb2.HandleWhatsAppWebhookResponse:
        try:
            messages, statuses = whatsapp.parse(request.payload)
        except whatsapp.InvalidPayload as exc:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAYLOAD", str(exc))
        async with self.runtime.db.acquire() as conn, conn.transaction():
            new, duplicate = await store.store_inbound(conn, messages, request.traceparent)
            recorded = await store.store_statuses(conn, statuses)
        for m in messages:
            if m.wamid in new:
                conversations.MESSAGES.labels("in", m.type).inc()
        if new:
            self.loops()[0].kick()  # durable now; replies follow after the acknowledgement
        return messaging_pb2.HandleWhatsAppWebhookResponse(
            accepted_message_ids=new, duplicate_message_ids=duplicate, statuses_recorded=recorded
        )

    async def _cabin_names(self) -> dict[str, str]:
        fetched_at, names = self._cabins
        if time.monotonic() - fetched_at > CABINS_TTL_SECONDS:
            try:
                names = {c.slug: c.name for c in await self.backend.cabins()}
                self._cabins = (time.monotonic(), names)
            except grpc.aio.AioRpcError:
                pass  # understand the rest without cabin names
        return names

    async def ParseText(self, request: Any, context: Any) -> messaging_pb2.ParseTextResponse:
        zone = ZoneInfo(request.time_zone or "America/Argentina/Buenos_Aires")
        try:
            today = pb.day(request.today) if request.HasField("today") else datetime.now(zone).date()
        except ValueError:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_DATE", "today is not a date")
        parsed = nlu.parse(request.text[:2000], today, await self._cabin_names())
        reply = messaging_pb2.ParseTextResponse(
            intent=INTENTS[parsed.intent], confidence=0.0 if parsed.intent == "unknown" else 0.8,
            nights=parsed.nights or 0, guests=parsed.guests or 0, accommodation=parsed.accommodation or "",
        )  # fmt: skip
        if parsed.check_in and parsed.check_out:
            reply.stay.CopyFrom(pb.range_pb(parsed.check_in, parsed.check_out))
        elif parsed.check_in:
            reply.stay.start.CopyFrom(pb.date_pb(parsed.check_in))
        return reply

    async def GetConversation(self, request: Any, context: Any) -> messaging_pb2.Conversation:
        async with self.runtime.db.acquire() as conn:
            row = await store.conversation(conn, request.phone)
            recent = await store.recent(conn, request.phone, min(request.limit or 20, 100))
        direction = {"in": messaging_pb2.DIRECTION_INBOUND, "out": messaging_pb2.DIRECTION_OUTBOUND}
        return messaging_pb2.Conversation(
            phone=request.phone,
            name=row["name"] if row else "",
            handoff=bool(row and row["handoff"]),
            last_inbound_at=pb.timestamp_pb(row["last_inbound_at"]) if row else None,
            messages=[
                messaging_pb2.ConversationMessage(
                    wamid=m["wamid"], direction=direction[m["direction"]], type=m["type"], text=m["text"],
                    at=pb.timestamp_pb(m["at"]), status=m["status"],
                )
                for m in recent
            ],
        )  # fmt: skip

    async def SetHandoff(self, request: Any, context: Any) -> messaging_pb2.Conversation:
        async with self.runtime.db.acquire() as conn:
            await store.set_handoff(conn, request.phone, request.active)
        return await self.GetConversation(messaging_pb2.GetConversationRequest(phone=request.phone), context)

    async def ListOutbox(self, request: Any, context: Any) -> messaging_pb2.ListOutboxResponse:
        async with self.runtime.db.acquire() as conn:
            rows = await store.outbox(conn, request.phone, request.after_id, min(request.limit or 50, 500))
        return messaging_pb2.ListOutboxResponse(
            messages=[
                messaging_pb2.OutboxMessage(
                    id=r["id"], to=r["phone"], type=r["type"], text=r["text"], payload_json=json.dumps(r["payload"], ensure_ascii=False),
                    status=r["status"], wamid=r["wamid"] or "", error=r["error"] or "", created_at=pb.timestamp_pb(r["created_at"]),
                )
                for r in rows
            ]
        )  # fmt: skip


async def work(servicer: MessagingServicer) -> None:
    await servicer.loops()[0].run()


async def send(servicer: MessagingServicer) -> None:
    await servicer.loops()[1].run()


async def notify_bookings(servicer: MessagingServicer) -> None:
    await servicer.loops()[2].follow_booking()


async def notify_payments(servicer: MessagingServicer) -> None:
    await servicer.loops()[2].follow_payments()


async def remind(servicer: MessagingServicer) -> None:
    await servicer.loops()[2].remind()


SERVICE = Service(
    name="messaging",
    descriptor=messaging_pb2.DESCRIPTOR.services_by_name["MessagingService"],
    servicer=MessagingServicer,
    add_to_server=messaging_pb2_grpc.add_MessagingServiceServicer_to_server,
    schema="messaging",
    migrations=Path(__file__).parent / "migrations",
    needs_redis=True,
    workers=(work, send, notify_bookings, notify_payments, remind),
)
