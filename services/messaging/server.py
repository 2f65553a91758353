"""gRPC adapter of the messaging service: convert, call the core, convert back."""

from pathlib import Path

from cabanas.v1 import messaging_pb2, messaging_pb2_grpc
from services.common.grpc_server import Bound, Context, Service
from services.messaging import convert, nlu, store
from services.messaging.app import MessagingApp, build


class MessagingServicer(Bound[MessagingApp], messaging_pb2_grpc.MessagingServiceServicer):
    async def HandleWhatsAppWebhook(
        self, request: messaging_pb2.HandleWhatsAppWebhookRequest, context: Context
    ) -> messaging_pb2.HandleWhatsAppWebhookResponse:
        return convert.webhook_pb(await self.app.worker.receive(request.payload, request.traceparent))

    async def ParseText(
        self, request: messaging_pb2.ParseTextRequest, context: Context
    ) -> messaging_pb2.ParseTextResponse:
        today, expecting = convert.today(request), convert.expecting(request)
        cabins = await self.app.cabin_names.get()
        return convert.parse_pb(await nlu.parse_off_loop(request.text[:2000], today, cabins, expecting))

    async def GetConversation(
        self, request: messaging_pb2.GetConversationRequest, context: Context
    ) -> messaging_pb2.Conversation:
        return await self._conversation(request.phone, request.limit)

    async def SetHandoff(
        self, request: messaging_pb2.SetHandoffRequest, context: Context
    ) -> messaging_pb2.Conversation:
        async with self.app.db.acquire() as conn:
            await store.set_handoff(conn, request.phone, request.active)
        return await self._conversation(request.phone)

    async def ListOutbox(
        self, request: messaging_pb2.ListOutboxRequest, context: Context
    ) -> messaging_pb2.ListOutboxResponse:
        async with self.app.db.acquire() as conn:
            rows = await store.outbox(conn, request.phone, request.after_id, min(request.limit or 50, 500))
        return convert.outbox_pb(rows)

    async def _conversation(self, phone: str, limit: int = 0) -> messaging_pb2.Conversation:
        async with self.app.db.acquire() as conn:
            row = await store.conversation(conn, phone)
            recent = await store.recent(conn, phone, min(limit or 20, 100))
        return convert.conversation_pb(phone, row, recent)


SERVICE = Service(
    name="messaging",
    descriptor=messaging_pb2.DESCRIPTOR.services_by_name["MessagingService"],
    servicer=MessagingServicer,
    add_to_server=messaging_pb2_grpc.add_MessagingServiceServicer_to_server,
    build=build,
    schema="messaging",
    migrations=Path(__file__).parent / "migrations",
    needs_redis=True,
)
