"""/hoy: what needs the owner, then today's arrivals, departures, stays in progress and holds
about to run out."""

from __future__ import annotations  # the stubs' AsyncStub classes exist for the type checker only

import asyncio
from collections.abc import Awaitable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import Response

from cabanas.v1 import (
    booking_pb2,
    calendar_pb2,
    common_pb2,
    messaging_pb2,
    payments_pb2,
    payments_pb2_grpc,
)
from console.lookups import PAGE_SIZE, every_cabin, every_reservation
from console.pages.inbox import chat_of, moment
from console.render import page
from console.security import Viewer, ViewerDep
from console.today import (
    Attention,
    Conflict,
    Feed,
    HandRefund,
    PaymentIssue,
    Stay,
    attention_of,
    for_viewer,
    today_of,
)
from services.common.pb import day, range_pb
from services.common.roles import Action

router = APIRouter()
# Payments have no filter by issue: the most recent PAGE_SIZE approved, refunded or charged back are looked at.
ISSUES = {
    payments_pb2.PAYMENT_ISSUE_PAID_BUT_UNAVAILABLE: "paid_but_unavailable",
    payments_pb2.PAYMENT_ISSUE_DUPLICATE_PAYMENT: "duplicate",
    payments_pb2.PAYMENT_ISSUE_CHARGED_BACK: "charged_back",
    payments_pb2.PAYMENT_ISSUE_REFUNDED_OUTSIDE: "refunded_outside",
    payments_pb2.PAYMENT_ISSUE_REFUND_FAILED: "refund_failed",
}
# Refunds by hand come from cancelled stays that have not begun (those after them are settled).
REFUNDS_AHEAD = timedelta(days=730)
# A service that does not answer costs the owner one part of the attention list, not the page.
UNANSWERED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
T = TypeVar("T")


def _stay(reservation: booking_pb2.Reservation) -> Stay:
    expires = reservation.expires_at.ToDatetime(tzinfo=UTC) if reservation.HasField("expires_at") else None
    return Stay(
        code=reservation.code,
        guest=reservation.guest.name,
        phone=reservation.guest.phone,
        cabin=reservation.accommodation_name,
        check_in=day(reservation.stay.start),
        check_out=day(reservation.stay.end),
        nights=reservation.nights,
        confirmed=reservation.status == common_pb2.RESERVATION_STATUS_CONFIRMED,
        total_minor=reservation.total.amount_minor,
        expires_at=expires,
    )


async def _paid(payments: payments_pb2_grpc.PaymentsServiceAsyncStub, stay: Stay) -> Stay:
    """`stay` with what its approved payments add up to (none on record: confirmed by hand)."""
    query = payments_pb2.ListPaymentsRequest(
        reservation_code=stay.code,
        statuses=[payments_pb2.PAYMENT_STATUS_APPROVED],
        page=common_pb2.PageRequest(page_size=PAGE_SIZE),
    )
    reply = await payments.ListPayments(query)
    amounts = [payment.amount.amount_minor for payment in reply.payments]
    return replace(stay, paid_minor=sum(amounts) if amounts else None)


async def _waiting(request: Request) -> list[messaging_pb2.Conversation]:
    query = messaging_pb2.ListConversationsRequest(waiting_only=True, page=common_pb2.PageRequest(page_size=PAGE_SIZE))
    reply = await request.app.state.clients.messaging.ListConversations(query)
    return list(reply.conversations)


async def _payment_issues(request: Request) -> list[PaymentIssue]:
    query = payments_pb2.ListPaymentsRequest(
        statuses=[
            payments_pb2.PAYMENT_STATUS_APPROVED,
            payments_pb2.PAYMENT_STATUS_REFUNDED,
            payments_pb2.PAYMENT_STATUS_CHARGED_BACK,
        ],
        page=common_pb2.PageRequest(page_size=PAGE_SIZE),
    )
    reply = await request.app.state.clients.payments.ListPayments(query)
    return [
        PaymentIssue(ISSUES[p.issue], p.reservation_code, p.amount.amount_minor, moment(p, "last_event_at"))
        for p in reply.payments
        if p.issue in ISSUES
    ]


async def _refunds_by_hand(request: Request, today: date) -> list[HandRefund]:
    """The cancelled stays still ahead whose refund the owner gives in cash or by transfer."""
    clients = request.app.state.clients
    query = booking_pb2.ListReservationsRequest(
        statuses=[common_pb2.RESERVATION_STATUS_CANCELLED],
        overlapping=range_pb(today, today + REFUNDS_AHEAD),
        page=common_pb2.PageRequest(page_size=PAGE_SIZE),
    )
    cancelled = (await clients.booking.ListReservations(query)).reservations
    balances = await asyncio.gather(
        *(clients.payments.GetBalance(payments_pb2.GetBalanceRequest(reservation_code=r.code)) for r in cancelled)
    )
    return [
        HandRefund(r.code, r.guest.name, refund.amount.amount_minor, moment(refund, "created_at"))
        for r, balance in zip(cancelled, balances, strict=True)
        for refund in balance.refunds
        if refund.status == payments_pb2.REFUND_STATUS_BY_HAND
    ]


async def _feeds(request: Request) -> list[Feed]:
    clients = request.app.state.clients
    listed = (await clients.calendar.ListFeeds(calendar_pb2.ListFeedsRequest())).feeds
    if not listed:
        return []
    names = {cabin.id: cabin.name for cabin in await every_cabin(clients.booking)}
    return [_feed(feed, names.get(feed.accommodation_id, "")) for feed in listed]


def _feed(feed: calendar_pb2.Feed, cabin: str) -> Feed:
    conflicts = tuple(
        Conflict(c.reservation_code, cabin, c.source or feed.source, day(c.range.start), day(c.range.end))
        for c in feed.conflicts
    )
    return Feed(
        cabin=cabin,
        source=feed.source,
        failed=feed.last_status == calendar_pb2.SYNC_STATUS_FAILED,
        error=feed.last_error,
        last_success=moment(feed, "last_success_at"),
        created=moment(feed, "created_at"),
        conflicts=conflicts,
    )


async def _answered(what: str, call: Awaitable[list[T]], unchecked: list[str]) -> list[T]:
    """`call`'s answer; nothing, and `what` noted as unchecked, when its service does not answer."""
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in UNANSWERED:
            raise
        unchecked.append(what)
        return []


async def _attention(request: Request, viewer: Viewer, now: datetime, today: date) -> Attention:
    """Guests waiting for a person, payments and refunds to act on, iCal conflicts and (for who
    edits the channels) feeds that stopped syncing."""
    unchecked: list[str] = []
    waiting, payments, refunds, feeds = await asyncio.gather(
        _answered("messages", _waiting(request), unchecked),
        _answered("payments", _payment_issues(request), unchecked),
        _answered("refunds", _refunds_by_hand(request, today), unchecked),
        _answered("channels", _feeds(request), unchecked),
    )
    key = request.app.state.csrf_key
    found = attention_of((chat_of(key, c) for c in waiting), payments, feeds, now, refunds)
    found.unchecked = unchecked
    if not viewer.can(Action.CABINS):
        found.feeds = []
    return found


@router.get("/hoy")
async def hoy(request: Request, viewer: ViewerDep) -> Response:
    clients = request.app.state.clients
    now = datetime.now(UTC)
    today = now.astimezone(request.app.state.zone).date()
    # Stays overlapping [yesterday, tomorrow) are those that start, go on or end today.
    around = booking_pb2.ListReservationsRequest(
        statuses=[common_pb2.RESERVATION_STATUS_CONFIRMED],
        overlapping=range_pb(today - timedelta(days=1), today + timedelta(days=1)),
    )
    holds = booking_pb2.ListReservationsRequest(statuses=[common_pb2.RESERVATION_STATUS_PRE_RESERVED])
    confirmed, held = await asyncio.gather(
        every_reservation(clients.booking, around), every_reservation(clients.booking, holds)
    )
    stays = [_stay(reservation) for reservation in (*confirmed, *held)]
    attention = Attention()
    if viewer.sees_private:
        paid, attention = await asyncio.gather(
            asyncio.gather(*(_paid(clients.payments, stay) for stay in stays if stay.confirmed)),
            _attention(request, viewer, now, today),
        )
        stays = [*paid, *(stay for stay in stays if not stay.confirmed)]
    else:
        stays = [for_viewer(stay) for stay in stays]
    return page(
        request, "hoy.html", viewer=viewer, active="/hoy", today=today_of(stays, today, now), attention=attention
    )
