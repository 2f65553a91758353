"""Admin API: every route needs the admin JWT or a user's API token (router-level dependency) and the
role its action needs (services/common/roles.py)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, UploadFile

from cabanas.v1 import accounts_pb2, booking_pb2, calendar_pb2, common_pb2, messaging_pb2, payments_pb2, speech_pb2
from gateway import schemas, views
from gateway.deps import AdminDep, ClientsDep, require_admin, requires
from gateway.routes import API_PREFIX
from services.common import pb
from services.common.roles import Action

router = APIRouter(
    prefix=f"{API_PREFIX}/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=schemas.errors(401, 403, *schemas.UPSTREAM),
)
PAGE_SIZE = 50
PhonePath = Annotated[str, Path(max_length=20, description="The guest's WhatsApp number, with or without +")]


@router.post(
    "/accommodations",
    status_code=201,
    responses=schemas.errors(400, 409),
    dependencies=[Depends(requires(Action.CABINS))],
)
async def create_accommodation(body: schemas.AccommodationIn, clients: ClientsDep) -> schemas.AccommodationOut:
    message, _ = views.accommodation_pb(body)
    created = await clients.booking.CreateAccommodation(booking_pb2.CreateAccommodationRequest(accommodation=message))
    return views.accommodation(created, admin=True)


@router.get(
    "/accommodations/{accommodation_id}", responses=schemas.errors(404), dependencies=[Depends(requires(Action.CABINS))]
)
async def get_accommodation(accommodation_id: schemas.IdPath, clients: ClientsDep) -> schemas.AccommodationOut:
    """The cabin with what only its owner and guests read (the guest's journey: `guest_messages`)."""
    found = await clients.booking.GetAccommodation(booking_pb2.GetAccommodationRequest(id=accommodation_id))
    return views.accommodation(found, admin=True)


@router.patch(
    "/accommodations/{accommodation_id}",
    responses=schemas.errors(400, 404, 409),
    dependencies=[Depends(requires(Action.CABINS))],
)
async def update_accommodation(
    accommodation_id: schemas.IdPath, body: schemas.AccommodationPatch, clients: ClientsDep
) -> schemas.AccommodationOut:
    message, mask = views.accommodation_pb(body)
    updated = await clients.booking.UpdateAccommodation(
        booking_pb2.UpdateAccommodationRequest(id=accommodation_id, accommodation=message, update_mask=mask)
    )
    return views.accommodation(updated, admin=True)


@router.get("/reservations", response_model_exclude_none=True, dependencies=[Depends(requires(Action.SEE_PRIVATE))])
async def list_reservations(
    clients: ClientsDep,
    status: schemas.Status | None = None,
    accommodation_id: schemas.IdFilter = 0,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    phone: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[
        str, Query(max_length=100, description="Code, guest name or phone contains (any case, any accents)")
    ] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> schemas.ReservationPage:
    request = booking_pb2.ListReservationsRequest(
        statuses=[pb.RESERVATION_STATUSES[status]] if status else [],
        accommodation_id=accommodation_id,
        guest_phone=phone,
        search=q,
        page={"page_size": PAGE_SIZE, "page_token": str((page - 1) * PAGE_SIZE) if page > 1 else ""},
    )
    if from_ or to:
        request.overlapping.CopyFrom(pb.range_pb(from_ or date.min, to or date.max))
    reply = await clients.booking.ListReservations(request)
    return schemas.ReservationPage(
        items=[views.reservation(r, full=True) for r in reply.reservations], page=page, total=reply.page.total_size
    )


@router.post(
    "/reservations/{code}/confirm",
    response_model_exclude_none=True,
    responses=schemas.errors(404, 409),
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def force_confirm(code: str, clients: ClientsDep, admin: AdminDep) -> schemas.ReservationOut:
    """Confirm without a payment on record. Payments confirm over gRPC."""
    reply = await clients.booking.ConfirmReservation(
        booking_pb2.ConfirmReservationRequest(code=code, forced_by_admin=True, actor=admin.actor)
    )
    return views.reservation(reply.reservation, full=True)


@router.get("/reservations/{code}/payments", dependencies=[Depends(requires(Action.SEE_PRIVATE))])
async def reservation_payments(code: str, clients: ClientsDep) -> list[schemas.PaymentOut]:
    reply = await clients.payments.ListPayments(
        payments_pb2.ListPaymentsRequest(reservation_code=code, page={"page_size": 100})
    )
    return [views.payment(p) for p in reply.payments]


@router.post(
    "/reservations/{code}/payments",
    status_code=201,
    responses=schemas.errors(400, 404, 409),
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def record_payment(
    code: str,
    body: schemas.ManualPaymentIn,
    clients: ClientsDep,
    admin: AdminDep,
    idempotency_key: Annotated[str, Header(max_length=200)] = "",
) -> schemas.PaymentOut:
    """Money received by hand (cash, a transfer); it confirms a hold it covers the deposit of. A retry
    with the same `Idempotency-Key` answers the same payment; 409 for a cancelled or expired
    reservation or a block."""
    payment = await clients.payments.RecordPayment(
        payments_pb2.RecordPaymentRequest(
            reservation_code=code,
            amount=common_pb2.Money(amount_minor=body.amount_minor),  # the reservation's currency
            method=views.PAYMENT_METHODS[body.method],
            actor=admin.actor,
            idempotency_key=idempotency_key,
            note=body.note,
        )
    )
    return views.payment(payment)


@router.post(
    "/reservations/{code}/refunds",
    status_code=201,
    responses=schemas.errors(
        400, 404, described={409: "`nothing_to_refund`: no amount, and nothing was paid beyond the total"}
    ),
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def refund(
    code: str,
    body: schemas.RefundIn,
    clients: ClientsDep,
    admin: AdminDep,
    idempotency_key: Annotated[str, Header(max_length=200)] = "",
) -> schemas.RefundOut:
    """Money given back outside a cancellation (a cancellation refunds by its `refund`), from the
    newest payments first: through Mercado Pago for what was paid there, `by_hand` for cash and
    transfers. Answers the newest payment's refund (the reservation lists them all). A retry with
    the same `Idempotency-Key` refunds once."""
    made = await clients.payments.RefundPayment(
        payments_pb2.RefundPaymentRequest(
            reservation_code=code,
            amount=None if body.amount_minor is None else common_pb2.Money(amount_minor=body.amount_minor),
            actor=admin.actor,
            reason=body.reason,
            idempotency_key=idempotency_key,
        )
    )
    return views.refund(made)


@router.post(
    "/reservations/{code}/refunds/{refund_id}/settle",
    responses=schemas.errors(400, 404, described={409: "`refund_on_its_way`: Mercado Pago is still making it"}),
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def settle_refund(
    code: str, refund_id: schemas.IdPath, clients: ClientsDep, admin: AdminDep
) -> schemas.RefundOut:
    """Records that a person gave the refund back by hand (one of cash or a transfer, or one Mercado
    Pago refused or kept failing): it counts as given back, and the guest is told. Twice is once."""
    settled = await clients.payments.SettleRefund(
        payments_pb2.SettleRefundRequest(reservation_code=code, refund_id=refund_id, actor=admin.actor)
    )
    return views.refund(settled)


@router.post(
    "/payments/notifications/{notification_id}/reprocess",
    status_code=202,
    responses=schemas.errors(404, 409),
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def reprocess_notification(notification_id: schemas.IdPath, clients: ClientsDep) -> dict[str, object]:
    reply = await clients.payments.ReprocessNotification(
        payments_pb2.ReprocessNotificationRequest(notification_id=notification_id)
    )
    return {"status": "queued", "notification_id": reply.notification_id}


@router.post(
    "/ical/feeds",
    status_code=201,
    responses=schemas.errors(400, 404, 409),
    dependencies=[Depends(requires(Action.CABINS))],
)
async def add_feed(body: schemas.FeedIn, clients: ClientsDep) -> schemas.FeedOut:
    feed = await clients.calendar.AddFeed(
        calendar_pb2.AddFeedRequest(accommodation_id=body.accommodation_id, url=body.url, source=body.source)
    )
    return views.feed(feed)


@router.get("/ical/feeds", dependencies=[Depends(requires(Action.CABINS))])
async def list_feeds(clients: ClientsDep, accommodation_id: schemas.IdFilter = 0) -> list[schemas.FeedOut]:
    reply = await clients.calendar.ListFeeds(calendar_pb2.ListFeedsRequest(accommodation_id=accommodation_id))
    return [views.feed(f) for f in reply.feeds]


@router.delete("/ical/feeds/{feed_id}", responses=schemas.errors(404), dependencies=[Depends(requires(Action.CABINS))])
async def remove_feed(feed_id: schemas.IdPath, clients: ClientsDep) -> dict[str, int]:
    reply = await clients.calendar.RemoveFeed(calendar_pb2.RemoveFeedRequest(id=feed_id))
    return {"blocks_removed": reply.blocks_removed}


@router.post(
    "/ical/feeds/{feed_id}/sync", responses=schemas.errors(404, 409), dependencies=[Depends(requires(Action.CABINS))]
)
async def sync_feed(feed_id: schemas.IdPath, clients: ClientsDep) -> schemas.SyncOut:
    reply = await clients.calendar.SyncFeed(calendar_pb2.SyncFeedRequest(id=feed_id, force=True), timeout=60)
    return views.sync_result(reply)


@router.get(
    "/accommodations/{accommodation_id}/ical",
    responses=schemas.errors(404),
    dependencies=[Depends(requires(Action.CABINS))],
)
async def export_url(accommodation_id: schemas.IdPath, clients: ClientsDep) -> dict[str, object]:
    reply = await clients.calendar.ExportUrl(calendar_pb2.ExportUrlRequest(accommodation_id=accommodation_id))
    return {"export_url": reply.export_url, "per_source": dict(reply.per_source_urls)}


MAX_AUDIO_BYTES = 16 * 1024 * 1024


@router.post(
    "/audio/transcribe", responses=schemas.errors(400, 413), dependencies=[Depends(requires(Action.SEE_PRIVATE))]
)
async def transcribe(
    file: UploadFile, clients: ClientsDep, language: Annotated[str, Query(max_length=5)] = "es"
) -> dict[str, object]:
    """Transcribe an uploaded audio file (multipart field `file`)."""
    audio = await file.read(MAX_AUDIO_BYTES + 1)
    if len(audio) > MAX_AUDIO_BYTES:
        raise HTTPException(413, "The audio is larger than 16 MiB.")
    reply = await clients.speech.Transcribe(
        speech_pb2.TranscribeRequest(audio=audio, mime_type=file.content_type or "", language_hint=language)
    )
    return {
        "text": reply.text,
        "language": reply.language,
        "language_probability": round(reply.language_probability, 3),
        "confidence": round(reply.confidence, 3),
        "duration": round(reply.duration, 2),
        "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in reply.segments],
        "model": reply.model,
        "device": reply.device,
        "compute_type": reply.compute_type,
    }


@router.post("/nlu/parse", responses=schemas.errors(400), dependencies=[Depends(requires(Action.SEE_PRIVATE))])
async def nlu_parse(body: schemas.NluIn, clients: ClientsDep) -> dict[str, object]:
    """What the dialog reads of the text: the intent and each slot or flag that is set."""
    request = messaging_pb2.ParseTextRequest(text=body.text, expecting=body.expecting)
    if body.today:
        request.today.CopyFrom(pb.date_pb(body.today))
    if body.stay_start:
        request.stay_start.CopyFrom(pb.date_pb(body.stay_start))
    reply = await clients.messaging.ParseText(request)
    out: dict[str, object] = {"intent": messaging_pb2.Intent.Name(reply.intent).removeprefix("INTENT_").lower()}
    for name, day in (("check_in", reply.stay.start), ("check_out", reply.stay.end), ("rejected", reply.rejected)):
        if day.year:  # a stay may have only its end: "hasta el domingo"
            out[name] = pb.day(day).isoformat()
    for name in ("nights", "guests", "accommodation", "month", "babies", "pets", "question", "negated"):
        if value := getattr(reply, name):
            out[name] = value
    if reply.topics:
        out["topics"] = list(reply.topics)
    return out


@router.get("/whatsapp/outbox", dependencies=[Depends(requires(Action.SEE_PRIVATE))])
async def outbox(
    clients: ClientsDep,
    phone: Annotated[str, Query(max_length=20)] = "",
    after_id: Annotated[int, Query(ge=0, le=schemas.MAX_ID)] = 0,
) -> list[dict[str, object]]:
    reply = await clients.messaging.ListOutbox(
        messaging_pb2.ListOutboxRequest(phone=phone, after_id=after_id, limit=200)
    )
    return [
        {"id": m.id, "to": m.to, "type": m.type, "text": m.text, "status": m.status, "wamid": m.wamid, "error": m.error}
        for m in reply.messages
    ]


@router.get("/emails", dependencies=[Depends(requires(Action.SEE_PRIVATE))])
async def emails(
    clients: ClientsDep,
    status: schemas.EmailStatus | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
) -> schemas.EmailPage:
    """The e-mail outbox, newest first; without SMTP_HOST every e-mail stays here (`sandbox`)."""
    reply = await clients.messaging.ListEmails(
        messaging_pb2.ListEmailsRequest(
            status=views.EMAIL_STATUSES[status] if status else messaging_pb2.EMAIL_STATUS_UNSPECIFIED,
            page={"page_size": page_size, "page_token": str((page - 1) * page_size) if page > 1 else ""},
        )
    )
    return schemas.EmailPage(items=[views.email(e) for e in reply.emails], page=page, more=bool(reply.next_page_token))


@router.get("/conversations", dependencies=[Depends(requires(Action.SEE_PRIVATE))])
async def conversations(
    clients: ClientsDep, waiting: bool = False, page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> schemas.ConversationPage:
    """Guests waiting for a person first (the longest wait first), then the rest by their last message."""
    reply = await clients.messaging.ListConversations(
        messaging_pb2.ListConversationsRequest(
            waiting_only=waiting,
            page={"page_size": PAGE_SIZE, "page_token": str((page - 1) * PAGE_SIZE) if page > 1 else ""},
        )
    )
    return schemas.ConversationPage(
        items=[views.conversation(c) for c in reply.conversations], page=page, total=reply.page.total_size
    )


@router.get(
    "/conversations/{phone}", responses=schemas.errors(404), dependencies=[Depends(requires(Action.SEE_PRIVATE))]
)
async def conversation(phone: PhonePath, clients: ClientsDep) -> schemas.ConversationDetail:
    reply = await clients.messaging.GetConversation(messaging_pb2.GetConversationRequest(phone=phone, limit=100))
    return views.conversation_detail(reply)


@router.post(
    "/conversations/{phone}/messages",
    status_code=202,
    responses=schemas.errors(400, 404),
    dependencies=[Depends(requires(Action.INBOX))],
)
async def reply(
    phone: PhonePath,
    body: schemas.ReplyIn,
    clients: ClientsDep,
    admin: AdminDep,
    idempotency_key: Annotated[str, Header(max_length=200)] = "",
) -> schemas.ReplyOut:
    """A person's reply: queued for WhatsApp (202), as typed within 24 h of the guest's last message,
    else the approved template (`template: true`); the bot stays quiet until handed back."""
    sent = await clients.messaging.SendReply(
        messaging_pb2.SendReplyRequest(phone=phone, text=body.text, actor=admin.actor, idempotency_key=idempotency_key)
    )
    return schemas.ReplyOut(message=views.message(sent.message), template=sent.template)


@router.post(
    "/conversations/{phone}/handoff",
    responses=schemas.errors(400, 404),
    dependencies=[Depends(requires(Action.INBOX))],
)
async def handoff(phone: PhonePath, body: schemas.HandoffIn, clients: ClientsDep) -> dict[str, object]:
    """`active: false` hands the conversation back to the bot (nobody waits then); `true` takes it over."""
    reply = await clients.messaging.SetHandoff(messaging_pb2.SetHandoffRequest(phone=phone, active=body.active))
    return {"phone": reply.phone, "handoff": reply.handoff}


@router.post(
    "/users", status_code=201, responses=schemas.errors(400, 409), dependencies=[Depends(requires(Action.USERS))]
)
async def create_user(body: schemas.UserIn, clients: ClientsDep) -> schemas.UserOut:
    """A user of the console; 422 `weak_password` for a short or obvious password, 409 for an e-mail in use."""
    created = await clients.accounts.CreateUser(
        accounts_pb2.CreateUserRequest(
            email=body.email, name=body.name, phone=body.phone, role=views.ROLES[body.role], password=body.password
        )
    )
    return views.user(created)


@router.get("/users", dependencies=[Depends(requires(Action.USERS))])
async def list_users(clients: ClientsDep, page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> schemas.UserPage:
    reply = await clients.accounts.ListUsers(
        accounts_pb2.ListUsersRequest(
            page={"page_size": PAGE_SIZE, "page_token": str((page - 1) * PAGE_SIZE) if page > 1 else ""}
        )
    )
    return schemas.UserPage(items=[views.user(u) for u in reply.users], page=page, total=reply.page.total_size)


@router.patch(
    "/users/{user_id}", responses=schemas.errors(400, 404, 409), dependencies=[Depends(requires(Action.USERS))]
)
async def update_user(user_id: schemas.IdPath, body: schemas.UserPatch, clients: ClientsDep) -> schemas.UserOut:
    """Change a user's name, phone, role or active; 409 `last_owner` when no active owner would be left."""
    message, mask = views.user_patch_pb(body)
    updated = await clients.accounts.UpdateUser(
        accounts_pb2.UpdateUserRequest(id=user_id, user=message, update_mask=mask)
    )
    return views.user(updated)
