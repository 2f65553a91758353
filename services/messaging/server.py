"""gRPC adapter of the messaging service: convert, call the core, convert back."""

from pathlib import Path

from cabanas.v1 import messaging_pb2, messaging_pb2_grpc
from services.common import paging
from services.common.grpc_server import Bound, Context, Service
from services.messaging import convert, mailer, nlu, store
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
        return convert.conversation_pb(*await self.app.inbox.conversation(request.phone, min(request.limit or 20, 100)))

    async def SetHandoff(
        self, request: messaging_pb2.SetHandoffRequest, context: Context
    ) -> messaging_pb2.Conversation:
        phone = await self.app.inbox.handoff(request.phone, request.active)
        return convert.conversation_pb(*await self.app.inbox.conversation(phone, 20))

    async def ListConversations(
        self, request: messaging_pb2.ListConversationsRequest, context: Context
    ) -> messaging_pb2.ListConversationsResponse:
        limit, offset = paging.bounds(request.page)
        rows, total = await self.app.inbox.conversations(request.waiting_only, limit, offset)
        return convert.conversations_pb(rows, limit, offset, total)

    async def SendReply(
        self, request: messaging_pb2.SendReplyRequest, context: Context
    ) -> messaging_pb2.SendReplyResponse:
        reply = await self.app.inbox.reply(request.phone, request.text, request.actor, request.idempotency_key)
        return convert.reply_pb(reply)

    async def ListOutbox(
        self, request: messaging_pb2.ListOutboxRequest, context: Context
    ) -> messaging_pb2.ListOutboxResponse:
        async with self.app.db.acquire() as conn:
            rows = await store.outbox(conn, request.phone, request.after_id, min(request.limit or 50, 500))
        return convert.outbox_pb(rows)

    async def ListEmails(
        self, request: messaging_pb2.ListEmailsRequest, context: Context
    ) -> messaging_pb2.ListEmailsResponse:
        limit, offset = paging.bounds(request.page)
        status = convert.EMAIL_STATUS_NAMES.get(request.status, "")
        async with self.app.db.acquire() as conn:
            rows = await mailer.listed(conn, status, request.to, limit + 1, offset)  # one more: is there a next page
        return convert.emails_pb(rows, limit, offset)


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
