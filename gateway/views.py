"""Protobuf replies -> REST bodies, and REST input -> protobuf requests."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from google.protobuf.field_mask_pb2 import FieldMask

from cabanas.v1 import accounts_pb2, booking_pb2, calendar_pb2, common_pb2, messaging_pb2, payments_pb2
from gateway import schemas
from services.common import pb
from services.common.cancellation import Rule, describe
from services.common.pb import day, range_pb


def quote(q: booking_pb2.StayQuote) -> schemas.QuoteOut:
    return schemas.QuoteOut(
        total=q.total.amount_minor,
        deposit=q.deposit.amount_minor,
        currency=q.total.currency,
        nights=q.nights,
        deposit_percent=q.deposit_percent,
        breakdown=[
            schemas.NightOut(date=day(n.date), price=n.price.amount_minor, season=n.season, weekend=n.weekend)
            for n in q.breakdown
        ],
    )


def season(s: booking_pb2.SeasonalRate) -> schemas.Season:
    return schemas.Season(
        name=s.name,
        start=day(s.range.start),
        end=day(s.range.end),
        nightly_price=s.nightly_price.amount_minor if s.HasField("nightly_price") else None,
        multiplier_percent=s.multiplier_percent if s.HasField("multiplier_percent") else None,
        min_nights=s.min_nights,
    )


def rules(rs: Iterable[booking_pb2.CancellationRule]) -> list[schemas.CancellationRule]:
    return [schemas.CancellationRule(days_before=r.days_before, percent=r.percent) for r in rs]


def policy(rs: Iterable[booking_pb2.CancellationRule]) -> str:
    """The rules in a sentence for guests; no rules: the default policy's."""
    return describe([Rule(r.days_before, r.percent) for r in rs])


def accommodation(a: booking_pb2.Accommodation, *, admin: bool = False) -> schemas.AccommodationOut:
    loc = a.location
    return schemas.AccommodationOut(
        id=a.id,
        slug=a.slug,
        name=a.name,
        type=a.type,
        description=a.description,
        capacity=a.capacity,
        nightly_price=a.base_nightly_price.amount_minor,
        currency=a.base_nightly_price.currency,
        weekend_multiplier_percent=a.weekend_multiplier_percent,
        weekend_nights=list(a.weekend_nights),
        seasons=[season(s) for s in a.seasons],
        min_nights=a.min_nights,
        max_nights=a.max_nights,
        deposit_percent=a.deposit_percent,
        time_zone=a.time_zone,
        check_in_time=a.check_in_time,
        check_out_time=a.check_out_time,
        amenities=list(a.amenities),
        photos=list(a.photos),
        location=schemas.Location(
            address=loc.address,
            city=loc.city,
            province=loc.province,
            latitude=loc.latitude,
            longitude=loc.longitude,
            maps_url=loc.maps_url,
        ),
        guest_info=schemas.GuestInfo(**{name: getattr(a.guest_info, name) for name in schemas.GuestInfo.model_fields}),
        guest_messages=schemas.GuestMessages(
            **{name: getattr(a.guest_messages, name) for name in schemas.GuestMessages.model_fields}
        )
        if admin
        else None,
        cancellation_rules=rules(a.cancellation_rules),
        cancellation_policy=policy(a.cancellation_rules),
        balance_on_arrival=a.balance_on_arrival,
        active=a.active,
    )


def reservation(r: booking_pb2.Reservation, *, full: bool) -> schemas.ReservationOut:
    """The public view has status, dates, cabin and amounts; `full` adds the guest."""
    out = schemas.ReservationOut(
        code=r.code,
        status=pb.RESERVATION_STATUS_NAMES[r.status],
        accommodation_id=r.accommodation_id,
        accommodation_name=r.accommodation_name,
        check_in=day(r.stay.start),
        check_out=day(r.stay.end),
        nights=r.nights,
        guests=r.guests,
        total=r.total.amount_minor,
        deposit=r.deposit.amount_minor,
        currency=r.total.currency,
        expires_at=r.expires_at.ToDatetime(tzinfo=UTC) if r.HasField("expires_at") else None,
        payment_url=r.payment_url or None,
    )
    if r.cancellation_rules:  # a booking's terms (blocks have none): shown before paying, no secret
        out.cancellation_rules = rules(r.cancellation_rules)
        out.cancellation_policy = policy(r.cancellation_rules)
    if r.refund_mode:
        out.refund_mode = REFUND_MODE_NAMES[r.refund_mode]
        out.refund_amount = r.refund_amount.amount_minor if r.HasField("refund_amount") else None
    if full:
        out.guest_name = r.guest.name
        out.guest_phone = r.guest.phone
        out.guest_email = r.guest.email or None
        out.channel = pb.CHANNEL_NAMES.get(r.channel, "ical")  # an unset channel reads as imported
        out.paid_but_unavailable = r.paid_but_unavailable
        out.block_reason = r.block_reason or None
    return out


def balance(out: schemas.ReservationOut, b: payments_pb2.Balance, *, admin: bool) -> None:
    """The reservation's money on its private view; its refunds for an admin."""
    out.paid, out.refunded = b.paid.amount_minor, b.refunded.amount_minor
    out.balance_due, out.overpaid = b.balance_due.amount_minor, b.overpaid.amount_minor
    out.balance_payment_url = b.balance_payment_url or None
    if b.HasField("if_cancelled_now"):
        q = b.if_cancelled_now
        out.if_cancelled_now = schemas.CancellationQuoteOut(
            days_before=q.days_before, percent=q.percent, refund=q.refund.amount_minor
        )
    if admin:
        out.refunds = [refund(r) for r in b.refunds]


REFUND_STATUS_NAMES = pb.enum_names(payments_pb2.RefundStatus, "REFUND_STATUS_")  # "requested", "by_hand"...


def refund(r: payments_pb2.Refund) -> schemas.RefundOut:
    return schemas.RefundOut(
        id=r.id,
        payment_external_id=r.payment_external_id,
        amount=r.amount.amount_minor,
        currency=r.amount.currency,
        status=REFUND_STATUS_NAMES.get(r.status, "unspecified"),
        error=r.error,
        attempts=r.attempts,
        actor=r.actor,
        reason=r.reason,
        external_id=r.external_id,
        created_at=_when(r.created_at, r.HasField("created_at")),
        updated_at=_when(r.updated_at, r.HasField("updated_at")),
        settled_by=r.settled_by,
    )


API_CANCEL_REASON = "requested over the API"


def cancel_pb(code: str, actor: str, body: schemas.CancelIn | None) -> booking_pb2.CancelReservationRequest:
    """The cancel a body asks for; none: the policy. A refund other than the policy keeps its
    reason as given, so that booking refuses one without."""
    body = body or schemas.CancelIn()
    reason = body.reason or (API_CANCEL_REASON if body.refund == "policy" else "")
    request = booking_pb2.CancelReservationRequest(
        code=code, reason=reason, actor=actor, refund_mode=REFUND_MODES[body.refund]
    )
    if body.amount_minor is not None:
        request.refund_amount.amount_minor = body.amount_minor
    return request


def accommodation_pb(
    body: schemas.AccommodationIn | schemas.AccommodationPatch,
) -> tuple[booking_pb2.Accommodation, FieldMask]:
    """The proto message and the mask of the fields the body sets; a patch's `guest_info` names
    the answers it changes (`guest_info.pets`), a new cabin's is all of them."""
    patch = isinstance(body, schemas.AccommodationPatch)
    fields = body.model_dump(exclude_unset=patch, exclude_none=True)
    msg = booking_pb2.Accommodation()
    paths = []
    for name, value in fields.items():
        if name == "nightly_price":
            currency = fields.get("currency", "")  # a patch keeps the cabin's currency
            msg.base_nightly_price.CopyFrom(common_pb2.Money(amount_minor=value, currency=currency))
            paths.append("base_nightly_price")
        elif name == "currency":
            continue
        elif name == "seasons":
            for s in body.seasons or []:
                rate = msg.seasons.add(name=s.name, range=range_pb(s.start, s.end), min_nights=s.min_nights)
                if s.nightly_price is not None:
                    rate.nightly_price.CopyFrom(common_pb2.Money(amount_minor=s.nightly_price))
                elif s.multiplier_percent is not None:
                    rate.multiplier_percent = s.multiplier_percent
            paths.append(name)
        elif name == "location":
            msg.location.CopyFrom(booking_pb2.Location(**value))
            paths.append(name)
        elif name == "cancellation_rules":
            msg.cancellation_rules.extend(booking_pb2.CancellationRule(**rule) for rule in value)
            paths.append(name)
        elif name == "guest_messages":
            msg.guest_messages.CopyFrom(booking_pb2.GuestMessages(**value))
            paths.append(name)
        elif name == "guest_info":
            msg.guest_info.CopyFrom(booking_pb2.GuestInfo(**value))
            paths.extend([f"guest_info.{answer}" for answer in value] if patch else [name])
        else:
            field = getattr(msg, name)
            if isinstance(value, list):
                field.extend(value)
            else:
                setattr(msg, name, value)
            paths.append(name)
    return msg, FieldMask(paths=paths)


def payment(p: payments_pb2.Payment) -> schemas.PaymentOut:
    return schemas.PaymentOut(
        external_id=p.external_id,
        reservation_code=p.reservation_code,
        status=payments_pb2.PaymentStatus.Name(p.status).removeprefix("PAYMENT_STATUS_").lower(),
        status_detail=p.status_detail,
        amount=p.amount.amount_minor,
        currency=p.amount.currency,
        events_count=p.events_count,
        issue=payments_pb2.PaymentIssue.Name(p.issue).removeprefix("PAYMENT_ISSUE_").lower(),
        last_event_at=p.last_event_at.ToDatetime(tzinfo=UTC) if p.HasField("last_event_at") else None,
        method=PAYMENT_METHOD_NAMES.get(p.method, "mercado_pago"),  # unset: a row from before manual payments
        recorded_by=p.recorded_by,
        note=p.note,
        kind=p.kind,
    )


REFUND_MODES = pb.enum_values(booking_pb2.RefundMode, "REFUND_MODE_")  # "policy", "full", "amount", "none"
REFUND_MODE_NAMES = pb.enum_names(booking_pb2.RefundMode, "REFUND_MODE_")
PAYMENT_METHODS = pb.enum_values(payments_pb2.PaymentMethod, "PAYMENT_METHOD_")  # "mercado_pago", "cash", "transfer"
PAYMENT_METHOD_NAMES = pb.enum_names(payments_pb2.PaymentMethod, "PAYMENT_METHOD_")


def _when(ts: Any, present: bool) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if present else None


def conflict(c: common_pb2.BlockConflict) -> schemas.ConflictOut:
    return schemas.ConflictOut(
        uid=c.uid,
        source=c.source,
        check_in=day(c.range.start),
        check_out=day(c.range.end),
        reservation_code=c.reservation_code,
        reservation_check_in=day(c.reservation_range.start),
        reservation_check_out=day(c.reservation_range.end),
    )


def _sync_status(value: int) -> str:
    return calendar_pb2.SyncStatus.Name(value).removeprefix("SYNC_STATUS_").lower()


def feed(f: calendar_pb2.Feed) -> schemas.FeedOut:
    return schemas.FeedOut(
        id=f.id,
        accommodation_id=f.accommodation_id,
        url=f.url,
        source=f.source,
        last_sync_at=_when(f.last_sync_at, f.HasField("last_sync_at")),
        last_success_at=_when(f.last_success_at, f.HasField("last_success_at")),
        last_status=_sync_status(f.last_status),
        last_error=f.last_error,
        events_count=f.events_count,
        conflicts=[conflict(c) for c in f.conflicts],
    )


def sync_result(r: calendar_pb2.SyncResult) -> schemas.SyncOut:
    return schemas.SyncOut(
        feed_id=r.feed_id,
        status=_sync_status(r.status),
        created=r.created,
        updated=r.updated,
        removed=r.removed,
        unchanged=r.unchanged,
        conflicts=[conflict(c) for c in r.conflicts],
        error=r.error,
    )


ROLES = pb.enum_values(accounts_pb2.Role, "ROLE_")
ROLE_NAMES = pb.enum_names(accounts_pb2.Role, "ROLE_")


def user(u: accounts_pb2.User) -> schemas.UserOut:
    return schemas.UserOut(
        id=u.id,
        email=u.email,
        name=u.name,
        phone=u.phone,
        role=ROLE_NAMES[u.role],
        active=u.active,
        created_at=u.created_at.ToDatetime(tzinfo=UTC),
        last_login_at=_when(u.last_login_at, u.HasField("last_login_at")),
    )


ALERTS = pb.enum_values(accounts_pb2.Alert, "ALERT_")
ALERT_NAMES = pb.enum_names(accounts_pb2.Alert, "ALERT_")


def notifications(n: accounts_pb2.NotificationPreferences) -> schemas.NotificationsIO:
    return schemas.NotificationsIO(
        whatsapp=[ALERT_NAMES[a] for a in n.whatsapp],
        email=[ALERT_NAMES[a] for a in n.email],
    )


def notifications_pb(body: schemas.NotificationsIO) -> accounts_pb2.NotificationPreferences:
    return accounts_pb2.NotificationPreferences(
        whatsapp=[ALERTS[a] for a in body.whatsapp], email=[ALERTS[a] for a in body.email]
    )


def api_token(t: accounts_pb2.ApiToken, secret: str | None = None) -> schemas.ApiTokenOut:
    return schemas.ApiTokenOut(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        created_at=t.created_at.ToDatetime(tzinfo=UTC),
        last_used_at=_when(t.last_used_at, t.HasField("last_used_at")),
        revoked_at=_when(t.revoked_at, t.HasField("revoked_at")),
        secret=secret,
    )


def user_patch_pb(body: schemas.UserPatch) -> tuple[accounts_pb2.User, FieldMask]:
    """The proto message and the mask of the fields the body sets (`active: false` included)."""
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    message = accounts_pb2.User(**(fields | ({"role": ROLES[fields["role"]]} if "role" in fields else {})))
    return message, FieldMask(paths=list(fields))


def history_entry(h: booking_pb2.HistoryEntry) -> schemas.HistoryEntryOut:
    return schemas.HistoryEntryOut(
        at=h.at.ToDatetime(tzinfo=UTC), actor=h.actor, action=h.action, text=h.text, data=dict(h.data)
    )


def message(m: messaging_pb2.ConversationMessage) -> schemas.MessageOut:
    return schemas.MessageOut(
        direction="inbound" if m.direction == messaging_pb2.DIRECTION_INBOUND else "outbound",
        type=m.type,
        text=m.text,
        at=_when(m.at, m.HasField("at")),
        status=m.status,
        author=m.author,
    )


def conversation(c: messaging_pb2.Conversation) -> schemas.ConversationOut:
    return schemas.ConversationOut(
        phone=c.phone,
        name=c.name,
        handoff=c.handoff,
        waiting_since=_when(c.waiting_since, c.HasField("waiting_since")),
        last_text=c.last_text,
        last_inbound_at=_when(c.last_inbound_at, c.HasField("last_inbound_at")),
        window_open=c.window_open,
    )


def conversation_detail(c: messaging_pb2.Conversation) -> schemas.ConversationDetail:
    return schemas.ConversationDetail(**conversation(c).model_dump(), messages=[message(m) for m in c.messages])


EMAIL_STATUSES = pb.enum_values(messaging_pb2.EmailStatus, "EMAIL_STATUS_")  # "queued", "sent", "failed", "sandbox"
EMAIL_STATUS_NAMES = pb.enum_names(messaging_pb2.EmailStatus, "EMAIL_STATUS_")


def email(e: messaging_pb2.Email) -> schemas.EmailOut:
    return schemas.EmailOut(
        id=e.id,
        to=e.to,
        subject=e.subject,
        text=e.text,
        status=EMAIL_STATUS_NAMES[e.status],
        error=e.error,
        attempts=e.attempts,
        attachments=list(e.attachments),
        created_at=e.created_at.ToDatetime(tzinfo=UTC),
        sent_at=_when(e.sent_at, e.HasField("sent_at")),
    )
