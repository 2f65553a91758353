"""/reservas and /reservas/{code}: find a reservation, see everything about it, act on it; new phone bookings.

The list's search names guests, so its form is a POST (no guest data in URLs); each action is a
POST that answers with a redirect and a flash (?listo=), or with the page again and what to fix."""

from __future__ import annotations  # the stubs' AsyncStub classes exist for the type checker only

import asyncio
import uuid
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from cabanas.v1 import booking_pb2, common_pb2, messaging_pb2, payments_pb2
from console import lookups
from console.inbox import conversation_id
from console.lookups import user_names
from console.pages.inbox import moment
from console.present import days_left
from console.render import page
from console.reservations import (
    MAX_REASON,
    Balance,
    Detail,
    Entry,
    Filters,
    Move,
    Night,
    Paid,
    Problems,
    Refund,
    Row,
    events_of,
    filters_of,
    move_of,
    new_booking_of,
    received_of,
    refund_of,
    user_ids,
    who,
)
from console.security import Viewer, may, may_post
from services.common.cancellation import Rule, describe
from services.common.pb import CHANNEL_NAMES, RESERVATION_STATUS_NAMES, RESERVATION_STATUSES, day, money_pb, range_pb
from services.common.roles import Action

router = APIRouter()
Reader = Annotated[Viewer, Depends(may(Action.SEE_PRIVATE))]
Searcher = Annotated[Viewer, Depends(may_post(Action.SEE_PRIVATE))]
Clerk = Annotated[Viewer, Depends(may(Action.RESERVATIONS))]
Doer = Annotated[Viewer, Depends(may_post(Action.RESERVATIONS))]
PAGE_SIZE = 20
MESSAGES = 4  # the last messages of the guest's conversation the page shows
# What a service says no to with a message for people (booking's and payments' are Spanish).
REFUSED = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.NOT_FOUND: 404,
}
FLASHES = ("creada", "pago", "pago-menor", "pago-sin-fechas", "fechas", "cancelada", "nota", "devolucion", "devuelta")
METHODS = {"cash": payments_pb2.PAYMENT_METHOD_CASH, "transfer": payments_pb2.PAYMENT_METHOD_TRANSFER}
METHOD_NAMES = {
    payments_pb2.PAYMENT_METHOD_CASH: "cash",
    payments_pb2.PAYMENT_METHOD_TRANSFER: "transfer",
}
POLICIES = {
    "reprice": booking_pb2.PRICE_POLICY_REPRICE,
    "keep": booking_pb2.PRICE_POLICY_KEEP,
    "override": booking_pb2.PRICE_POLICY_OVERRIDE,
}
PAYMENT_STATUS = {
    value: name.removeprefix("PAYMENT_STATUS_").lower() for name, value in payments_pb2.PaymentStatus.items()
}
PAYMENT_ISSUE = {
    value: name.removeprefix("PAYMENT_ISSUE_").lower()
    for name, value in payments_pb2.PaymentIssue.items()
    if value != payments_pb2.PAYMENT_ISSUE_NONE
}
REFUND_STATUS = {
    value: name.removeprefix("REFUND_STATUS_").lower() for name, value in payments_pb2.RefundStatus.items()
}
REFUND_MODES = {
    "policy": booking_pb2.REFUND_MODE_POLICY,
    "full": booking_pb2.REFUND_MODE_FULL,
    "amount": booking_pb2.REFUND_MODE_AMOUNT,
    "none": booking_pb2.REFUND_MODE_NONE,
}


async def form_of(request: Request) -> dict[str, str]:
    return {name: value for name, value in (await request.form()).items() if isinstance(value, str)}


def refusal(exc: grpc.aio.AioRpcError) -> tuple[int, str]:
    """(status, message) of a service's refusal; anything else is not ours to word."""
    if exc.code() not in REFUSED:
        raise exc
    return REFUSED[exc.code()], exc.details() or ""


async def cabins(request: Request, include_inactive: bool = False) -> list[tuple[int, str]]:
    """(id, name) of every cabin, by name."""
    found = await lookups.every_cabin(request.app.state.clients.booking, include_inactive)
    return [(cabin.id, cabin.name) for cabin in found]


# The list --------------------------------------------------------------------------------


def _row(r: booking_pb2.Reservation) -> Row:
    return Row(
        code=r.code,
        guest=r.guest.name,
        phone=r.guest.phone,
        cabin=r.accommodation_name,
        check_in=day(r.stay.start),
        check_out=day(r.stay.end),
        nights=r.nights,
        status=RESERVATION_STATUS_NAMES.get(r.status, ""),
        total_minor=r.total.amount_minor,
    )


async def _list(
    request: Request, viewer: Viewer, filters: Filters, problems: Problems, form: dict[str, str], token: str = ""
) -> Response:
    query = booking_pb2.ListReservationsRequest(
        statuses=[RESERVATION_STATUSES[status] for status in filters.statuses],
        accommodation_id=filters.cabin_id,
        search=filters.search,
        page=common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=token),
    )
    if filters.overlapping:
        query.overlapping.CopyFrom(range_pb(*filters.overlapping))
    rows, next_page, total, error = [], "", 0, ""
    if not problems:
        try:
            reply = await request.app.state.clients.booking.ListReservations(query)
        except grpc.aio.AioRpcError as exc:
            error = refusal(exc)[1]
        else:
            rows, next_page, total = (
                [_row(r) for r in reply.reservations],
                reply.page.next_page_token,
                reply.page.total_size,
            )
    return page(
        request,
        "reservas.html",
        status=422 if problems or error else 200,
        viewer=viewer,
        active="/reservas",
        rows=rows,
        total=total,
        next_page=next_page,
        cabins=await cabins(request, include_inactive=True),
        form=form,
        problems=problems,
        error=error,
    )


@router.get("/reservas")
async def reservas(request: Request, viewer: Reader) -> Response:
    return await _list(request, viewer, Filters(), {}, {})


@router.post("/reservas")
async def buscar(request: Request, viewer: Searcher) -> Response:
    form = await form_of(request)
    filters, problems = filters_of(form)
    return await _list(request, viewer, filters, problems, form, form.get("pagina", "")[:64])


# A new booking -----------------------------------------------------------------------------


async def _new(
    request: Request, viewer: Viewer, form: dict[str, str], status: int = 200, **context: object
) -> Response:
    return page(
        request,
        "nueva.html",
        status=status,
        viewer=viewer,
        active="/reservas",
        cabins=await cabins(request),
        form=form,
        key=form.get("clave") or uuid.uuid4().hex,  # a double submit books once
        problems=context.pop("problems", {}),
        **context,
    )


@router.get("/reservas/nueva")
async def nueva(
    request: Request,
    viewer: Clerk,
    cabana: Annotated[str, Query(max_length=20)] = "",
    desde: Annotated[str, Query(max_length=10)] = "",
    hasta: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return await _new(request, viewer, {"cabana": cabana, "desde": desde, "hasta": hasta, "huespedes": "2"})


@router.post("/reservas/nueva")
async def reservar(request: Request, viewer: Doer) -> Response:
    form = await form_of(request)
    booking, problems = new_booking_of(form)
    if booking is None:
        return await _new(request, viewer, form, 422, problems=problems)
    key = form.get("clave", "")[:64] or uuid.uuid4().hex
    query = booking_pb2.CreateManualReservationRequest(
        accommodation_id=booking.cabin_id,
        stay=range_pb(booking.check_in, booking.check_out),
        guests=booking.guests,
        guest=booking_pb2.Guest(name=booking.name, phone=booking.phone, email=booking.email),
        note=booking.note,
        actor=viewer.actor,
        idempotency_key=key,
    )
    if booking.price_minor is not None:
        query.price_override.CopyFrom(money_pb(booking.price_minor, ""))
    try:
        made = await request.app.state.clients.booking.CreateManualReservation(query)
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _new(request, viewer, form, status, error=error)
    done = "creada"
    if booking.paid is not None:
        try:
            done = await _record(request, viewer, made.code, booking.paid.amount_minor, booking.paid.method, "", key)
        except grpc.aio.AioRpcError as exc:  # booked, the payment not: the reservation's page says so
            status, error = refusal(exc)
            return await _detail(request, viewer, made.code, status, form=form, error=error, where="pago")
    return RedirectResponse(f"/reservas/{made.code}?listo={done}", status_code=303)


# One reservation ---------------------------------------------------------------------------


def _detail_of(r: booking_pb2.Reservation) -> Detail:
    return Detail(
        code=r.code,
        status=RESERVATION_STATUS_NAMES.get(r.status, ""),
        channel=CHANNEL_NAMES.get(r.channel, ""),
        cabin=r.accommodation_name,
        check_in=day(r.stay.start),
        check_out=day(r.stay.end),
        nights=r.nights,
        guests=r.guests,
        guest=r.guest.name,
        phone=r.guest.phone,
        email=r.guest.email,
        total_minor=r.total.amount_minor,
        deposit_minor=r.deposit.amount_minor,
        breakdown=[Night(day(n.date), n.price.amount_minor, n.season, n.weekend) for n in r.breakdown],
        expires_at=moment(r, "expires_at"),
        source=r.external_source,
        reason=r.block_reason,
        rules=tuple(Rule(rule.days_before, rule.percent) for rule in r.cancellation_rules),
        balance_on_arrival=r.balance_on_arrival,
    )


async def _reservation(request: Request, code: str) -> booking_pb2.GetReservationResponse:
    try:
        found: booking_pb2.GetReservationResponse = await request.app.state.clients.booking.GetReservation(
            booking_pb2.GetReservationRequest(code=code, include_history=True)
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise HTTPException(404) from exc
        raise
    return found


async def _chat(request: Request, phone: str) -> tuple[str, list[messaging_pb2.ConversationMessage]]:
    """The conversation's id and its last messages; nothing when the guest never wrote."""
    if not phone:
        return "", []
    try:
        found = await request.app.state.clients.messaging.GetConversation(
            messaging_pb2.GetConversationRequest(phone=phone, limit=MESSAGES)
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise
        return "", []
    return conversation_id(request.app.state.csrf_key, phone), list(found.messages)


async def _balance(request: Request, code: str, blocked: bool = False) -> payments_pb2.Balance:
    if blocked:  # a block has no money
        return payments_pb2.Balance()
    found: payments_pb2.Balance = await request.app.state.clients.payments.GetBalance(
        payments_pb2.GetBalanceRequest(reservation_code=code)
    )
    return found


def _balance_of(b: payments_pb2.Balance, names: dict[int, str]) -> Balance:
    refunds = [
        Refund(
            id=r.id,
            amount_minor=r.amount.amount_minor,
            status=REFUND_STATUS.get(r.status, ""),
            at=moment(r, "created_at"),
            by=who(r.actor, names),
            reason=r.reason,
            error=r.error,
            settled_by=who(r.settled_by, names) if r.settled_by else "",
        )
        for r in b.refunds
    ]
    return Balance(
        total_minor=b.total.amount_minor,
        paid_minor=b.paid.amount_minor,
        refunded_minor=b.refunded.amount_minor,
        due_minor=b.balance_due.amount_minor,
        overpaid_minor=b.overpaid.amount_minor,
        payment_url=b.balance_payment_url,
        days_before=b.if_cancelled_now.days_before,
        percent=b.if_cancelled_now.percent,
        policy_refund_minor=b.if_cancelled_now.refund.amount_minor,
        refunds=refunds,
    )


async def _money(request: Request, code: str) -> tuple[booking_pb2.Reservation, Balance]:
    """The reservation and its money (the refunds' askers by name)."""
    reservation, balance = await asyncio.gather(_reservation(request, code), _balance(request, code))
    names = await user_names(request.app.state.clients.accounts, user_ids(_refunders(balance)))
    return reservation.reservation, _balance_of(balance, names)


def _refunders(b: payments_pb2.Balance) -> list[str]:
    """Who asked for each refund, and who gave one back by hand."""
    return [actor for r in b.refunds for actor in (r.actor, r.settled_by) if actor]


async def _detail(request: Request, viewer: Viewer, code: str, status: int = 200, **context: object) -> Response:
    clients = request.app.state.clients
    found = await _reservation(request, code)
    reservation = found.reservation
    blocked = reservation.status == common_pb2.RESERVATION_STATUS_BLOCKED
    listed, balance, (chat, messages) = await asyncio.gather(
        clients.payments.ListPayments(
            payments_pb2.ListPaymentsRequest(reservation_code=code, page=common_pb2.PageRequest(page_size=100))
        ),
        _balance(request, code, blocked),
        _chat(request, reservation.guest.phone),
    )
    entries = [Entry(moment(h, "at"), h.actor, h.action, h.text, dict(h.data)) for h in found.history]
    actors = [entry.actor for entry in entries] + [p.recorded_by for p in listed.payments]
    names = await user_names(request.app.state.clients.accounts, user_ids([*actors, *_refunders(balance)]))
    paid = [
        Paid(
            at=moment(p, "first_event_at"),
            method=METHOD_NAMES.get(p.method, "mercado_pago"),
            status=PAYMENT_STATUS.get(p.status, ""),
            amount_minor=p.amount.amount_minor,
            by=who(p.recorded_by, names) if p.recorded_by else "",
            note=p.note,
            issue=PAYMENT_ISSUE.get(p.issue, ""),
            refunded_minor=p.refunded.amount_minor,
        )
        for p in listed.payments
    ]
    detail = _detail_of(reservation)
    money = _balance_of(balance, names)
    return page(
        request,
        "reserva.html",
        status=status,
        viewer=viewer,
        active="/reservas",
        r=detail,
        payments=paid,
        money=money,
        refundable_minor=money.refundable_minor(detail.status),
        history=events_of(entries, names),
        chat=chat,
        messages=[(m.direction == messaging_pb2.DIRECTION_INBOUND, m.text, moment(m, "at")) for m in messages],
        key=uuid.uuid4().hex,
        form=context.pop("form", {}),
        problems=context.pop("problems", {}),
        **context,
    )


@router.get("/reservas/{code}")
async def reserva(
    request: Request, code: str, viewer: Reader, listo: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    return await _detail(request, viewer, code, flash=listo if listo in FLASHES else "")


async def _record(request: Request, viewer: Viewer, code: str, amount: int, method: str, note: str, key: str) -> str:
    """Record money received by hand; the flash that says what it did to the reservation."""
    payment = await request.app.state.clients.payments.RecordPayment(
        payments_pb2.RecordPaymentRequest(
            reservation_code=code,
            amount=money_pb(amount, ""),
            method=METHODS[method],
            actor=viewer.actor,
            idempotency_key=f"{key}:pago",
            note=note,
        )
    )
    issues = {
        payments_pb2.PAYMENT_ISSUE_AMOUNT_MISMATCH: "pago-menor",
        payments_pb2.PAYMENT_ISSUE_PAID_BUT_UNAVAILABLE: "pago-sin-fechas",
    }
    return issues.get(payment.issue, "pago")


@router.post("/reservas/{code}/pago")
async def pago(request: Request, code: str, viewer: Doer) -> Response:
    form = await form_of(request)
    received, problems = received_of(form)
    if received is None:
        return await _detail(request, viewer, code, 422, form=form, problems=problems, where="pago")
    try:
        done = await _record(
            request, viewer, code, received.amount_minor, received.method, received.note, form.get("clave", "")[:64]
        )
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _detail(request, viewer, code, status, form=form, error=error, where="pago")
    return RedirectResponse(f"/reservas/{code}?listo={done}", status_code=303)


@router.post("/reservas/{code}/nota")
async def nota(request: Request, code: str, viewer: Doer) -> Response:
    form = await form_of(request)
    text = form.get("texto", "").strip()
    if not text:
        return await _detail(request, viewer, code, 422, form=form, problems={"texto": "required"}, where="nota")
    try:
        await request.app.state.clients.booking.AddNote(
            booking_pb2.AddNoteRequest(code=code, text=text, actor=viewer.actor)
        )
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _detail(request, viewer, code, status, form=form, error=error, where="nota")
    return RedirectResponse(f"/reservas/{code}?listo=nota#historia", status_code=303)


async def _new_total(request: Request, r: booking_pb2.Reservation, move: Move) -> int | None:
    """The total the move leaves; None when the cabin's price for those nights cannot be quoted
    (shorter than its minimum, which the owner may still book): booking prices it on confirming."""
    if move.policy == "keep":
        return int(r.total.amount_minor)
    if move.policy == "override":
        return move.total_minor
    try:
        quote = await request.app.state.clients.booking.Quote(
            booking_pb2.QuoteRequest(
                accommodation_id=r.accommodation_id, stay=range_pb(move.check_in, move.check_out), guests=r.guests
            )
        )
    except grpc.aio.AioRpcError as exc:
        refusal(exc)
        return None
    return int(quote.total.amount_minor)


@router.post("/reservas/{code}/fechas")
async def fechas(request: Request, code: str, viewer: Doer) -> Response:
    """First the new dates and total to confirm, then (confirmar=1) the move."""
    form = await form_of(request)
    move, problems = move_of(form)
    if move is None:
        return await _detail(request, viewer, code, 422, form=form, problems=problems, where="fechas")
    if form.get("confirmar") != "1":
        reservation = (await _reservation(request, code)).reservation
        return page(
            request,
            "reserva-fechas.html",
            viewer=viewer,
            active="/reservas",
            r=_detail_of(reservation),
            move=move,
            new_total=await _new_total(request, reservation, move),
            form=form,
        )
    change = booking_pb2.ChangeDatesRequest(
        code=code,
        stay=range_pb(move.check_in, move.check_out),
        price_policy=POLICIES[move.policy],
        actor=viewer.actor,
    )
    if move.total_minor is not None:
        change.total.CopyFrom(money_pb(move.total_minor, ""))
    try:
        await request.app.state.clients.booking.ChangeDates(change)
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _detail(request, viewer, code, status, form=form, error=error, where="fechas")
    return RedirectResponse(f"/reservas/{code}?listo=fechas", status_code=303)


async def _cancel_page(request: Request, viewer: Viewer, code: str, status: int = 200, **context: object) -> Response:
    """The cancellation to confirm: what the guest paid, what the policy gives back today, the
    owner's choice."""
    reservation, money = await _money(request, code)
    detail = _detail_of(reservation)
    return page(
        request,
        "reserva-cancelar.html",
        status=status,
        viewer=viewer,
        active="/reservas",
        r=detail,
        money=money,
        days=days_left(money.days_before),
        policy=describe(detail.rules),
        form=context.pop("form", {}),
        problems=context.pop("problems", {}),
        **context,
    )


@router.get("/reservas/{code}/cancelar")
async def cancelar_pregunta(request: Request, code: str, viewer: Clerk) -> Response:
    return await _cancel_page(request, viewer, code)


@router.post("/reservas/{code}/cancelar")
async def cancelar(request: Request, code: str, viewer: Doer) -> Response:
    form = await form_of(request)
    money = (await _money(request, code))[1]
    choice, problems = refund_of(form, money.kept_minor)
    if choice is None:
        return await _cancel_page(request, viewer, code, 422, form=form, problems=problems)
    cancel = booking_pb2.CancelReservationRequest(
        code=code, reason=choice.reason, actor=viewer.actor, refund_mode=REFUND_MODES[choice.mode]
    )
    if choice.amount_minor is not None:
        cancel.refund_amount.CopyFrom(money_pb(choice.amount_minor, ""))
    try:
        await request.app.state.clients.booking.CancelReservation(cancel)
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _cancel_page(request, viewer, code, status, form=form, error=error)
    return RedirectResponse(f"/reservas/{code}?listo=cancelada", status_code=303)


@router.post("/reservas/{code}/devoluciones/{refund_id}/hecha")
async def devuelta(request: Request, code: str, refund_id: int, viewer: Doer) -> Response:
    """The owner gave a refund back by hand (cash, a transfer, or one Mercado Pago would not make):
    recorded with who; the guest is told. Posted twice, recorded once."""
    try:
        await request.app.state.clients.payments.SettleRefund(
            payments_pb2.SettleRefundRequest(reservation_code=code, refund_id=refund_id, actor=viewer.actor)
        )
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _detail(request, viewer, code, status, where="devoluciones", error=error)
    return RedirectResponse(f"/reservas/{code}?listo=devuelta#devoluciones", status_code=303)


@router.post("/reservas/{code}/devolver")
async def devolver(request: Request, code: str, viewer: Doer) -> Response:
    """Give back what the guest paid beyond what is owed (a duplicate payment): first the amount
    to confirm, then (confirmar=1) the refund, once per key however often it is posted."""
    form = await form_of(request)
    reservation, money = await _money(request, code)
    detail = _detail_of(reservation)
    refundable = money.refundable_minor(detail.status)
    key = form.get("clave", "")[:64] or uuid.uuid4().hex
    status, error, changed = 200, "", False
    if form.get("confirmar") == "1":
        # The amount confirmed must still be what is owed: a second payment or a refund since moved it.
        if not refundable or form.get("monto") != str(refundable):
            status, changed = 409, True
        else:
            try:
                await request.app.state.clients.payments.RefundPayment(
                    payments_pb2.RefundPaymentRequest(
                        reservation_code=code,
                        amount=money_pb(refundable, ""),
                        actor=viewer.actor,
                        reason=" ".join(form.get("motivo", "").split())[:MAX_REASON],
                        idempotency_key=f"{key}:devolucion",
                    )
                )
            except grpc.aio.AioRpcError as exc:
                status, error = refusal(exc)
            else:
                return RedirectResponse(f"/reservas/{code}?listo=devolucion#pagos", status_code=303)
    return page(
        request,
        "reserva-devolver.html",
        status=status,
        viewer=viewer,
        active="/reservas",
        r=detail,
        money=money,
        refundable_minor=refundable,
        key=key,
        error=error,
        changed=changed,
    )
