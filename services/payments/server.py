"""gRPC adapter of the payments service."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import grpc

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2, payments_pb2, payments_pb2_grpc
from services.common import outbox, paging
from services.common.grpc_clients import channel
from services.common.grpc_server import Runtime, Service, abort_with_reason
from services.common.pb import timestamp_pb
from services.payments import links, notifications, store
from services.payments.mercadopago import MercadoPago, MercadoPagoError

log = logging.getLogger(__name__)

STATUSES = {
    "pending": payments_pb2.PAYMENT_STATUS_PENDING,
    "approved": payments_pb2.PAYMENT_STATUS_APPROVED,
    "authorized": payments_pb2.PAYMENT_STATUS_AUTHORIZED,
    "in_process": payments_pb2.PAYMENT_STATUS_IN_PROCESS,
    "in_mediation": payments_pb2.PAYMENT_STATUS_IN_MEDIATION,
    "rejected": payments_pb2.PAYMENT_STATUS_REJECTED,
    "cancelled": payments_pb2.PAYMENT_STATUS_CANCELLED,
    "refunded": payments_pb2.PAYMENT_STATUS_REFUNDED,
    "charged_back": payments_pb2.PAYMENT_STATUS_CHARGED_BACK,
}
STATUS_NAMES = {v: k for k, v in STATUSES.items()}
ISSUES = {
    "none": payments_pb2.PAYMENT_ISSUE_NONE,
    "amount_mismatch": payments_pb2.PAYMENT_ISSUE_AMOUNT_MISMATCH,
    "currency_mismatch": payments_pb2.PAYMENT_ISSUE_CURRENCY_MISMATCH,
    "unknown_reference": payments_pb2.PAYMENT_ISSUE_UNKNOWN_REFERENCE,
    "paid_but_unavailable": payments_pb2.PAYMENT_ISSUE_PAID_BUT_UNAVAILABLE,
    "reversed": payments_pb2.PAYMENT_ISSUE_REVERSED,
}
# Open links whose hold ends within this window are checked against Mercado Pago.
RECONCILE_WINDOW_SECONDS = 600


def payment_pb(row: Any) -> payments_pb2.Payment:
    return payments_pb2.Payment(
        external_id=row["external_id"],
        reservation_code=row["reservation_code"],
        status=STATUSES.get(row["status"], payments_pb2.PAYMENT_STATUS_UNSPECIFIED),
        status_detail=row["status_detail"],
        amount=common_pb2.Money(amount_minor=row["amount_minor"], currency=row["currency"]),
        events_count=row["events_count"],
        first_event_at=timestamp_pb(row["first_event_at"]),
        last_event_at=timestamp_pb(row["last_event_at"]),
        issue=ISSUES[row["issue"]],
    )


class PaymentsServicer(payments_pb2_grpc.PaymentsServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.public_url = settings.public_base_url.rstrip("/")
        recovery = settings.mercadopago_circuit_recovery_seconds
        if settings.mercadopago_sandbox:  # nothing leaves the machine: the gateway serves a fake
            self.mp = MercadoPago(f"{self.public_url}/sandbox/mercadopago", "sandbox", recovery_seconds=recovery)
        else:
            token = settings.mercadopago_access_token.get_secret_value()  # type: ignore[union-attr]
            self.mp = MercadoPago(settings.mercadopago_api_base, token, recovery_seconds=recovery)
        self.booking = booking_pb2_grpc.BookingServiceStub(channel(settings.booking_addr))
        self.feed = outbox.Feed(settings.database_url, store.EVENTS_CHANNEL)
        self._processor: notifications.Processor | None = None

    @property
    def processor(self) -> notifications.Processor:
        if self._processor is None:
            self._processor = notifications.Processor(
                self.runtime.db, self.mp, self.booking, self.runtime.settings.payments_retry_base_seconds
            )
        return self._processor

    async def HandleNotification(self, request: Any, context: Any) -> payments_pb2.HandleNotificationResponse:
        query = dict(request.query)
        try:
            topic, resource_id, action = notifications.parse(request.body, query)
        except notifications.InvalidNotification as exc:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_NOTIFICATION", str(exc))
        received = request.received_at.ToDatetime(tzinfo=UTC) if request.HasField("received_at") else None
        async with self.runtime.db.acquire() as conn:
            notification_id = await store.insert_notification(
                conn, topic=topic, resource_id=resource_id, action=action, source="webhook", body=request.body,
                query=query, headers=dict(request.headers), received_at=received or datetime.now().astimezone(), traceparent=request.traceparent,
            )  # fmt: skip
        self.processor.kick()  # durable now: the rest happens after the acknowledgement
        return payments_pb2.HandleNotificationResponse(
            notification_id=notification_id, resource_id=resource_id, topic=topic
        )

    async def ReprocessNotification(self, request: Any, context: Any) -> payments_pb2.HandleNotificationResponse:
        async with self.runtime.db.acquire() as conn:
            row = await store.reopen(conn, request.notification_id)
        if row is None:
            await abort_with_reason(context, grpc.StatusCode.NOT_FOUND, "NOT_FOUND", "No such notification.")
        self.processor.kick()
        return payments_pb2.HandleNotificationResponse(
            notification_id=row["id"], resource_id=row["resource_id"], topic=row["topic"]
        )

    async def CreatePaymentLink(self, request: Any, context: Any) -> payments_pb2.PaymentLink:
        try:
            found = await self.booking.GetReservation(booking_pb2.GetReservationRequest(code=request.reservation_code))
            link = await links.create(
                self.runtime.db, self.mp, found.reservation, self.public_url, request.payer_email,
                self.runtime.settings.mercadopago_sandbox,
            )  # fmt: skip
        except grpc.aio.AioRpcError as exc:
            code = exc.code() if exc.code() == grpc.StatusCode.NOT_FOUND else grpc.StatusCode.UNAVAILABLE
            await abort_with_reason(context, code, code.name, exc.details() or "booking did not answer")
        except links.NotPayable as exc:
            await abort_with_reason(context, grpc.StatusCode.FAILED_PRECONDITION, "NOT_PAYABLE", str(exc))
        except MercadoPagoError as exc:
            log.warning("payment link for %s failed: %s", request.reservation_code, exc)
            await abort_with_reason(
                context, grpc.StatusCode.UNAVAILABLE, "MERCADOPAGO_UNAVAILABLE", "Mercado Pago did not answer."
            )
        return payments_pb2.PaymentLink(
            preference_id=link["preference_id"],
            init_point=link["init_point"],
            amount=common_pb2.Money(amount_minor=link["amount_minor"], currency=link["currency"]),
            expires_at=timestamp_pb(link["expires_at"]),
            sandbox=link["sandbox"],
            reservation_code=link["reservation_code"],
        )

    async def GetPayment(self, request: Any, context: Any) -> payments_pb2.Payment:
        async with self.runtime.db.acquire() as conn:
            row = await store.get_payment(conn, request.external_id)
        if row is None or row["status"] == "unknown":
            await abort_with_reason(context, grpc.StatusCode.NOT_FOUND, "NOT_FOUND", "No such payment.")
        return payment_pb(row)

    async def ListPayments(self, request: Any, context: Any) -> payments_pb2.ListPaymentsResponse:
        try:
            limit, offset = paging.bounds(request.page)
        except paging.BadPageToken as exc:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE", str(exc))
        statuses = [STATUS_NAMES[s] for s in request.statuses if s in STATUS_NAMES]
        async with self.runtime.db.acquire() as conn:
            rows, total = await store.list_payments(conn, request.reservation_code, statuses, limit, offset)
        return payments_pb2.ListPaymentsResponse(
            payments=[payment_pb(r) for r in rows], page=paging.response(limit, offset, len(rows), total)
        )

    async def StreamEvents(self, request: Any, context: Any) -> AsyncIterator[payments_pb2.PaymentEvent]:
        async def fetch(conn: asyncpg.Connection, after_id: int, limit: int) -> list[asyncpg.Record]:
            return await store.events_after(conn, after_id, limit)

        async for row in self.feed.stream(self.runtime.db, fetch, request.after_id, request.follow):
            yield payments_pb2.PaymentEvent(
                id=row["event_id"], type=row["event_type"], occurred_at=timestamp_pb(row["occurred_at"]),
                payment=payment_pb(row), traceparent=row["traceparent"],
            )  # fmt: skip


async def process_loop(servicer: PaymentsServicer) -> None:
    await servicer.processor.run()


async def reconcile_loop(servicer: PaymentsServicer) -> None:
    while True:
        await asyncio.sleep(servicer.runtime.settings.payments_reconcile_interval_seconds)
        try:
            await servicer.processor.reconcile(RECONCILE_WINDOW_SECONDS)
        except Exception:
            log.warning("reconciliation pass failed", exc_info=True)


SERVICE = Service(
    name="payments",
    descriptor=payments_pb2.DESCRIPTOR.services_by_name["PaymentsService"],
    servicer=PaymentsServicer,
    add_to_server=payments_pb2_grpc.add_PaymentsServiceServicer_to_server,
    schema="payments",
    migrations=Path(__file__).parent / "migrations",
    workers=(process_loop, reconcile_loop),
)
