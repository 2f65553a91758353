"""Protobuf <-> payments rows and domain values, in one place."""

from datetime import UTC, datetime
from typing import Any

import asyncpg

from cabanas.v1 import common_pb2, payments_pb2
from services.common import pb
from services.common.pb import timestamp_pb
from services.payments import balance, manual, refunds
from services.payments.notifications import Received, Stored

# The proto's values carry the names stored in the payments table ("in_process", "charged_back"...).
STATUSES = pb.enum_values(payments_pb2.PaymentStatus, "PAYMENT_STATUS_")
STATUS_NAMES = pb.enum_names(payments_pb2.PaymentStatus, "PAYMENT_STATUS_")
# Its zero is a real value: PAYMENT_ISSUE_NONE is "none".
ISSUES = pb.enum_values(payments_pb2.PaymentIssue, "PAYMENT_ISSUE_")
METHODS = pb.enum_values(payments_pb2.PaymentMethod, "PAYMENT_METHOD_")  # "mercado_pago", "cash", "transfer"
METHOD_NAMES = pb.enum_names(payments_pb2.PaymentMethod, "PAYMENT_METHOD_")
REFUND_STATUSES = pb.enum_values(payments_pb2.RefundStatus, "REFUND_STATUS_")  # "requested", "by_hand"...


def payment_pb(row: asyncpg.Record) -> payments_pb2.Payment:
    return payments_pb2.Payment(
        external_id=row["external_id"],
        reservation_code=row["reservation_code"],
        status=STATUSES.get(row["status"], payments_pb2.PAYMENT_STATUS_UNSPECIFIED),
        status_detail=row["status_detail"],
        amount=pb.money_pb(row["amount_minor"], row["currency"]),
        events_count=row["events_count"],
        first_event_at=timestamp_pb(row["first_event_at"]),
        last_event_at=timestamp_pb(row["last_event_at"]),
        issue=ISSUES[row["issue"]],
        # Events stored before manual payments existed carry none of these: Mercado Pago's.
        method=METHODS[row["method"] or "mercado_pago"],
        recorded_by=row["recorded_by"] or "",
        note=row["note"] or "",
        kind=row["kind"] or "",
        refunded=pb.money_pb(row["refunded_minor"] or 0, row["currency"]),  # None in events from before refunds
    )


def balance_pb(b: balance.Balance) -> payments_pb2.Balance:
    def money(amount_minor: int) -> common_pb2.Money:
        return pb.money_pb(amount_minor, b.currency)

    quote = b.if_cancelled_now
    return payments_pb2.Balance(
        reservation_code=b.code,
        total=money(b.total_minor),
        paid=money(b.paid_minor),
        refunded=money(b.refunded_minor),
        balance_due=money(b.due_minor),
        overpaid=money(b.overpaid_minor),
        balance_payment_url=b.payment_url,
        if_cancelled_now=None
        if quote is None
        else payments_pb2.CancellationQuote(
            days_before=quote.days_before, percent=quote.percent, refund=money(quote.refund_minor)
        ),
        refunds=[refund_pb(r) for r in b.refunds],
    )


def refund_pb(row: asyncpg.Record | dict[str, Any]) -> payments_pb2.Refund:
    return payments_pb2.Refund(
        id=row["id"],
        reservation_code=row["reservation_code"],
        payment_external_id=row["payment_external_id"],
        amount=pb.money_pb(row["amount_minor"], row["currency"]),
        status=REFUND_STATUSES[row["status"]],
        error=row["error"],
        attempts=row["attempts"],
        actor=row["actor"],
        reason=row["reason"],
        external_id=row["external_id"],
        created_at=timestamp_pb(row["created_at"]),
        updated_at=timestamp_pb(row["updated_at"]),
        settled_by=row["settled_by"],
    )


def _refund_json(refund: dict[str, Any]) -> dict[str, Any]:
    """A refund row as an event carries it (JSON): its times parsed; `settled_by` from before it existed."""
    return {
        "settled_by": "",
        **refund,
        "created_at": datetime.fromisoformat(refund["created_at"]),
        "updated_at": datetime.fromisoformat(refund["updated_at"]),
    }


def event_pb(row: asyncpg.Record) -> payments_pb2.PaymentEvent:
    return payments_pb2.PaymentEvent(
        id=row["event_id"],
        type=row["event_type"],
        occurred_at=timestamp_pb(row["occurred_at"]),
        payment=payment_pb(row),
        traceparent=row["traceparent"],
        refund=refund_pb(_refund_json(row["refund"])) if row["refund"] else None,
    )


def link_pb(row: asyncpg.Record) -> payments_pb2.PaymentLink:
    return payments_pb2.PaymentLink(
        preference_id=row["preference_id"],
        init_point=row["init_point"],
        amount=pb.money_pb(row["amount_minor"], row["currency"]),
        expires_at=timestamp_pb(row["expires_at"]),
        sandbox=row["sandbox"],
        reservation_code=row["reservation_code"],
    )


def received(request: payments_pb2.HandleNotificationRequest) -> Received:
    """The notification the gateway forwarded; received now when it did not say."""
    at = request.received_at.ToDatetime(tzinfo=UTC) if request.HasField("received_at") else datetime.now().astimezone()
    return Received(
        body=request.body,
        query=dict(request.query),
        headers=dict(request.headers),
        received_at=at,
        traceparent=request.traceparent,
    )


def stored_pb(stored: Stored) -> payments_pb2.HandleNotificationResponse:
    return payments_pb2.HandleNotificationResponse(
        notification_id=stored.id, resource_id=stored.resource_id, topic=stored.topic
    )


def statuses(request: payments_pb2.ListPaymentsRequest) -> list[str]:
    """The statuses to list, by their stored names (values this service does not know are left out)."""
    return [STATUS_NAMES[s] for s in request.statuses if s in STATUS_NAMES]


def owner_refund(request: payments_pb2.RefundPaymentRequest) -> refunds.OwnerAsk:
    return refunds.OwnerAsk(
        code=request.reservation_code,
        amount_minor=request.amount.amount_minor if request.HasField("amount") else None,
        currency=request.amount.currency,
        actor=request.actor,
        reason=request.reason,
        idempotency_key=request.idempotency_key,
    )


def manual_payment(request: payments_pb2.RecordPaymentRequest) -> manual.Received:
    """Money received by hand; a method other than cash or transfer is left for the core to refuse."""
    return manual.Received(
        reservation_code=request.reservation_code,
        amount_minor=request.amount.amount_minor,
        currency=request.amount.currency,
        method=METHOD_NAMES.get(request.method, "unspecified"),
        actor=request.actor,
        idempotency_key=request.idempotency_key,
        note=request.note,
    )
