"""Protobuf <-> domain conversions of the messaging service: its own API's
messages, and the booking and payments messages its adapters receive."""

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from cabanas.v1 import booking_pb2, messaging_pb2, payments_pb2
from services.common import paging, pb
from services.common.errors import invalid
from services.messaging import inbox, nlu
from services.messaging.conversations import Received
from services.messaging.dialog import GUEST_ZONE
from services.messaging.inbox import Reply
from services.messaging.ports import Availability, BookingEvent, Cabin, Held, Offer, PaymentEvent

INTENTS = pb.enum_values(messaging_pb2.Intent, "INTENT_")  # nlu's intent names; "unknown" is INTENT_UNKNOWN, 0
DIRECTIONS = pb.enum_values(messaging_pb2.Direction, "DIRECTION_")  # store.recent's "inbound", "outbound"

# Booking and payments -> domain ---------------------------------------------


def cabin(a: booking_pb2.Accommodation) -> Cabin:
    return Cabin(
        a.id,
        a.slug,
        a.name,
        a.capacity,
        tuple(a.amenities),
        check_in_time=a.check_in_time,
        check_out_time=a.check_out_time,
        deposit_percent=a.deposit_percent,
        min_nights=a.min_nights,
        address=a.location.address,
        city=a.location.city,
        maps_url=a.location.maps_url,
        faq=MappingProxyType({f.name: text for f, text in a.guest_info.ListFields() if text.strip()}),
    )


def offer(a: booking_pb2.AvailableAccommodation) -> Offer:
    return Offer(cabin(a.accommodation), a.quote.total.amount_minor, a.quote.total.currency)


def held(r: booking_pb2.Reservation) -> Held:
    return Held(
        code=r.code,
        cabin=r.accommodation_name,
        check_in=pb.day(r.stay.start),
        check_out=pb.day(r.stay.end),
        guests=r.guests,
        total_minor=r.total.amount_minor,
        deposit_minor=r.deposit.amount_minor,
        currency=r.total.currency,
        expires_at=r.expires_at.ToDatetime(tzinfo=UTC) if r.HasField("expires_at") else None,
        status=pb.RESERVATION_STATUS_NAMES.get(r.status, "other"),
        guest_name=r.guest.name,
        phone=r.guest.phone.lstrip("+"),
        channel=pb.CHANNEL_NAMES.get(r.channel, "other"),
        created_at=r.created_at.ToDatetime(tzinfo=UTC) if r.HasField("created_at") else None,
    )


def availability(reply: booking_pb2.CheckAvailabilityResponse) -> Availability:
    return Availability([offer(a) for a in reply.available], frozenset(u.reason for u in reply.unavailable))


PAYMENT_STATUS_NAMES = pb.enum_names(payments_pb2.PaymentStatus, "PAYMENT_STATUS_")


def payment_status(p: payments_pb2.Payment) -> str:
    return PAYMENT_STATUS_NAMES.get(p.status, "other")


def booking_event(e: booking_pb2.DomainEvent) -> BookingEvent:
    return BookingEvent(e.id, e.type, e.traceparent, held(e.reservation) if e.HasField("reservation") else None)


def payment_event(e: payments_pb2.PaymentEvent) -> PaymentEvent:
    return PaymentEvent(e.id, e.type, e.traceparent, e.payment.reservation_code)


# The messaging API ----------------------------------------------------------


def today(request: messaging_pb2.ParseTextRequest) -> date:
    """The request's `today`, or today in its time zone (the cabins' by default)."""
    zone = ZoneInfo(request.time_zone) if request.time_zone else GUEST_ZONE
    if not request.HasField("today"):
        return datetime.now(zone).date()
    try:
        return pb.day(request.today)
    except ValueError as exc:
        raise invalid("INVALID_DATE", "today is not a date") from exc


def parse_pb(parsed: nlu.Parse) -> messaging_pb2.ParseTextResponse:
    """Everything the dialog reads of a parse; the stay may have only a start or only an end."""
    reply = messaging_pb2.ParseTextResponse(
        intent=INTENTS[parsed.intent],
        confidence=0.0 if parsed.intent == "unknown" else 0.8,
        nights=parsed.nights or 0,
        guests=parsed.guests or 0,
        accommodation=parsed.accommodation or "",
        month=parsed.month or 0,
        topics=parsed.topics,
        question=parsed.question,
        negated=parsed.negated,
        babies=parsed.babies or 0,
        pets=parsed.pets or 0,
    )
    if parsed.check_in:
        reply.stay.start.CopyFrom(pb.date_pb(parsed.check_in))
    if parsed.check_out:
        reply.stay.end.CopyFrom(pb.date_pb(parsed.check_out))
    if parsed.rejected:
        reply.rejected.CopyFrom(pb.date_pb(parsed.rejected))
    return reply


def expecting(request: messaging_pb2.ParseTextRequest) -> nlu.Expecting:
    """What the bot asked last, as the request says it."""
    if request.expecting not in nlu.EXPECTS:
        raise invalid("INVALID_EXPECTING", f"expecting is one of {', '.join(filter(None, nlu.EXPECTS))} or empty")
    try:
        stay_start = pb.day(request.stay_start) if request.HasField("stay_start") else None
    except ValueError as exc:
        raise invalid("INVALID_DATE", "stay_start is not a date") from exc
    return nlu.Expecting(request.expecting, stay_start)


def webhook_pb(received: Received) -> messaging_pb2.HandleWhatsAppWebhookResponse:
    return messaging_pb2.HandleWhatsAppWebhookResponse(
        accepted_message_ids=received.new,
        duplicate_message_ids=received.duplicate,
        statuses_recorded=received.statuses,
    )


def message_pb(m: Mapping[str, Any]) -> messaging_pb2.ConversationMessage:
    """One message shaped as `store.recent`'s."""
    return messaging_pb2.ConversationMessage(
        wamid=m["wamid"],
        direction=DIRECTIONS[m["direction"]],
        type=m["type"],
        text=m["text"],
        at=pb.timestamp_pb(m["at"]),
        status=m["status"],
        author=m["author"],
    )


def conversation_pb(row: asyncpg.Record, recent: Iterable[Mapping[str, Any]] = ()) -> messaging_pb2.Conversation:
    """A conversation as `store.conversation(s)` reads it; lists leave `recent` empty."""
    return messaging_pb2.Conversation(
        phone=row["phone"],
        name=row["name"],
        handoff=row["handoff"],
        last_inbound_at=pb.timestamp_pb(row["last_inbound_at"]),
        messages=[message_pb(m) for m in recent],
        waiting_since=pb.timestamp_pb(row["waiting_since"]),
        last_text=row["last_text"] or "",
        window_open=inbox.window_open(row["last_inbound_at"]),
    )


def conversations_pb(
    rows: list[asyncpg.Record], limit: int, offset: int, total: int
) -> messaging_pb2.ListConversationsResponse:
    return messaging_pb2.ListConversationsResponse(
        conversations=[conversation_pb(r) for r in rows], page=paging.response(limit, offset, len(rows), total)
    )


def reply_pb(reply: Reply) -> messaging_pb2.SendReplyResponse:
    return messaging_pb2.SendReplyResponse(message=message_pb(reply.message), template=reply.template)


def outbox_pb(rows: Iterable[asyncpg.Record]) -> messaging_pb2.ListOutboxResponse:
    return messaging_pb2.ListOutboxResponse(
        messages=[
            messaging_pb2.OutboxMessage(
                id=r["id"],
                to=r["phone"],
                type=r["type"],
                text=r["text"],
                payload_json=json.dumps(r["payload"], ensure_ascii=False),
                status=r["status"],
                wamid=r["wamid"] or "",
                error=r["error"] or "",
                created_at=pb.timestamp_pb(r["created_at"]),
            )
            for r in rows
        ]
    )
