"""Protobuf <-> domain conversions of the messaging service: its own API's
messages, and the booking and payments messages its adapters receive."""

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from cabanas.v1 import accounts_pb2, booking_pb2, calendar_pb2, messaging_pb2, payments_pb2
from services.common import paging, pb
from services.common.cancellation import Rule
from services.common.errors import invalid
from services.messaging import inbox, nlu
from services.messaging.conversations import Received
from services.messaging.dialog import GUEST_ZONE
from services.messaging.inbox import Reply
from services.messaging.ports import (
    Availability,
    Balance,
    BookingEvent,
    Cabin,
    FeedState,
    GuestWords,
    Held,
    Member,
    Offer,
    PaymentEvent,
)

INTENTS = pb.enum_values(messaging_pb2.Intent, "INTENT_")  # nlu's intent names; "unknown" is INTENT_UNKNOWN, 0
DIRECTIONS = pb.enum_values(messaging_pb2.Direction, "DIRECTION_")  # store.recent's "inbound", "outbound"
EMAIL_STATUSES = pb.enum_values(messaging_pb2.EmailStatus, "EMAIL_STATUS_")  # the emails table's status
EMAIL_STATUS_NAMES = pb.enum_names(messaging_pb2.EmailStatus, "EMAIL_STATUS_")

# Booking and payments -> domain ---------------------------------------------


def rules(found: Iterable[booking_pb2.CancellationRule]) -> tuple[Rule, ...]:
    return tuple(Rule(r.days_before, r.percent) for r in found)


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
        cancellation_rules=rules(a.cancellation_rules),
        time_zone=a.time_zone,
        photo_url=a.photos[0] if a.photos else "",
        words=words(a.guest_messages),
        balance_on_arrival=a.balance_on_arrival,
    )


def words(m: booking_pb2.GuestMessages) -> GuestWords:
    return GuestWords(m.keys, m.arrival_note, m.departure_note, m.review_url, m.confirmed_note)


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
        cancellation_rules=rules(r.cancellation_rules),
        balance_on_arrival=r.balance_on_arrival,
        email=r.guest.email,
        cabin_id=r.accommodation_id,
        time_zone=r.time_zone,
    )


def availability(reply: booking_pb2.CheckAvailabilityResponse) -> Availability:
    return Availability([offer(a) for a in reply.available], frozenset(u.reason for u in reply.unavailable))


PAYMENT_STATUS_NAMES = pb.enum_names(payments_pb2.PaymentStatus, "PAYMENT_STATUS_")
PAYMENT_ISSUE_NAMES = pb.enum_names(payments_pb2.PaymentIssue, "PAYMENT_ISSUE_")  # 0 is "none"


def payment_status(p: payments_pb2.Payment) -> str:
    return PAYMENT_STATUS_NAMES.get(p.status, "other")


def booking_event(e: booking_pb2.DomainEvent) -> BookingEvent:
    return BookingEvent(
        e.id,
        e.type,
        e.traceparent,
        held(e.reservation) if e.HasField("reservation") else None,
        conflict_source=e.conflict.source,
        actor=e.actor,
        reason=e.reason,
        previous_stay=(pb.day(e.previous_stay.start), pb.day(e.previous_stay.end))
        if e.HasField("previous_stay")
        else None,
    )


def payment_event(e: payments_pb2.PaymentEvent) -> PaymentEvent:
    refunded = e.payment.refunded
    return PaymentEvent(
        e.id,
        e.type,
        e.traceparent,
        e.payment.reservation_code,
        refunded.amount_minor,
        refunded.currency or "ARS",
        refund_minor=e.refund.amount.amount_minor,
        settled=bool(e.refund.settled_by),
        issue=PAYMENT_ISSUE_NAMES.get(e.payment.issue, "other"),
        amount_minor=e.payment.amount.amount_minor,
    )


def balance(b: payments_pb2.Balance) -> Balance:
    return Balance(
        paid_minor=b.paid.amount_minor,
        due_minor=b.balance_due.amount_minor,
        currency=b.total.currency or b.paid.currency or "ARS",
        payment_url=b.balance_payment_url,
        refund_now_minor=b.if_cancelled_now.refund.amount_minor,
        refund_percent=b.if_cancelled_now.percent,
        days_before=b.if_cancelled_now.days_before,
        refunding_minor=sum(r.amount.amount_minor for r in b.refunds),
    )


# Accounts and calendar -> domain (the team's alerts) -------------------------

ALERT_NAMES = pb.enum_names(accounts_pb2.Alert, "ALERT_")  # accounts' names: "new_booking", ...
ROLE_NAMES = pb.enum_names(accounts_pb2.Role, "ROLE_")


def member(u: accounts_pb2.User) -> Member:
    def alerts(chosen: Iterable[accounts_pb2.Alert]) -> frozenset[str]:
        return frozenset(ALERT_NAMES[a] for a in chosen if a in ALERT_NAMES)

    return Member(
        id=u.id,
        name=u.name,
        email=u.email,
        phone=u.phone.lstrip("+"),
        role=ROLE_NAMES.get(u.role, "viewer"),
        whatsapp=alerts(u.notifications.whatsapp),
        email_alerts=alerts(u.notifications.email),
    )


def feed_state(f: calendar_pb2.Feed) -> FeedState:
    return FeedState(
        id=f.id,
        cabin_id=f.accommodation_id,
        source=f.source,
        failing=f.last_status == calendar_pb2.SYNC_STATUS_FAILED,
        last_success_at=f.last_success_at.ToDatetime(tzinfo=UTC) if f.HasField("last_success_at") else None,
        created_at=f.created_at.ToDatetime(tzinfo=UTC),
        error=f.last_error,
    )


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
        opted_out=row["opted_out_at"] is not None,
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


def email_pb(r: asyncpg.Record) -> messaging_pb2.Email:
    return messaging_pb2.Email(
        id=r["id"],
        to=r["to_address"],
        subject=r["subject"],
        text=r["text_body"],
        status=EMAIL_STATUSES[r["status"]],
        error=r["error"] or "",
        attempts=r["attempts"],
        attachments=[a["filename"] for a in r["attachments"]],
        created_at=pb.timestamp_pb(r["created_at"]),
        sent_at=pb.timestamp_pb(r["sent_at"]),
    )


def emails_pb(rows: list[asyncpg.Record], limit: int, offset: int) -> messaging_pb2.ListEmailsResponse:
    """A page of `mailer.listed`, asked for one row more than `limit`: that row says a next page exists."""
    more = len(rows) > limit
    return messaging_pb2.ListEmailsResponse(
        emails=[email_pb(r) for r in rows[:limit]], next_page_token=str(offset + limit) if more else ""
    )
