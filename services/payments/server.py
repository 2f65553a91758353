"""gRPC adapter of the payments service: convert, call the core, convert back."""

from collections.abc import AsyncIterator
from pathlib import Path

from cabanas.v1 import payments_pb2, payments_pb2_grpc
from services.common import paging
from services.common.errors import not_found
from services.common.grpc_server import Bound, Context, Service
from services.payments import convert, store
from services.payments.app import PaymentsApp, build


class PaymentsServicer(Bound[PaymentsApp], payments_pb2_grpc.PaymentsServiceServicer):
    async def HandleNotification(
        self, request: payments_pb2.HandleNotificationRequest, context: Context
    ) -> payments_pb2.HandleNotificationResponse:
        # Durable when this returns: the rest happens after the acknowledgement.
        return convert.stored_pb(await self.app.processor.receive(convert.received(request)))

    async def ReprocessNotification(
        self, request: payments_pb2.ReprocessNotificationRequest, context: Context
    ) -> payments_pb2.HandleNotificationResponse:
        return convert.stored_pb(await self.app.processor.reprocess(request.notification_id))

    async def CreatePaymentLink(
        self, request: payments_pb2.CreatePaymentLinkRequest, context: Context
    ) -> payments_pb2.PaymentLink:
        return convert.link_pb(await self.app.links.create(request.reservation_code, request.payer_email))

    async def GetPayment(self, request: payments_pb2.GetPaymentRequest, context: Context) -> payments_pb2.Payment:
        async with self.app.db.acquire() as conn:
            row = await store.get_payment(conn, request.external_id)
        if row is None or row["status"] == "unknown":
            raise not_found("No such payment.")
        return convert.payment_pb(row)

    async def ListPayments(
        self, request: payments_pb2.ListPaymentsRequest, context: Context
    ) -> payments_pb2.ListPaymentsResponse:
        limit, offset = paging.bounds(request.page)
        async with self.app.db.acquire() as conn:
            rows, total = await store.list_payments(
                conn, request.reservation_code, convert.statuses(request), limit, offset
            )
        return payments_pb2.ListPaymentsResponse(
            payments=[convert.payment_pb(r) for r in rows], page=paging.response(limit, offset, len(rows), total)
        )

    async def RecordPayment(self, request: payments_pb2.RecordPaymentRequest, context: Context) -> payments_pb2.Payment:
        return convert.payment_pb(await self.app.manual.record(convert.manual_payment(request)))

    async def GetBalance(self, request: payments_pb2.GetBalanceRequest, context: Context) -> payments_pb2.Balance:
        return convert.balance_pb(await self.app.balances.get(request.reservation_code))

    async def RefundPayment(self, request: payments_pb2.RefundPaymentRequest, context: Context) -> payments_pb2.Refund:
        return convert.refund_pb(await self.app.refunds.refund(convert.owner_refund(request)))

    async def SettleRefund(self, request: payments_pb2.SettleRefundRequest, context: Context) -> payments_pb2.Refund:
        settled = self.app.refunds.settle(request.reservation_code, request.refund_id, request.actor)
        return convert.refund_pb(await settled)

    async def StreamEvents(
        self, request: payments_pb2.StreamPaymentEventsRequest, context: Context
    ) -> AsyncIterator[payments_pb2.PaymentEvent]:
        app = self.app
        async for row in app.feed.stream(app.db, store.events_after, request.after_id, request.follow):
            yield convert.event_pb(row)


SERVICE = Service(
    name="payments",
    descriptor=payments_pb2.DESCRIPTOR.services_by_name["PaymentsService"],
    servicer=PaymentsServicer,
    add_to_server=payments_pb2_grpc.add_PaymentsServiceServicer_to_server,
    build=build,
    schema="payments",
    migrations=Path(__file__).parent / "migrations",
)
