"""The messaging domain's ports (`ports.py`) over gRPC: booking, payments, speech, accounts and calendar.

A failed call becomes a DomainError (`downstream`), except where the domain
expects an answer: booking's refusals of a stay are `Refused` for the dialog.
"""

from __future__ import annotations  # the *AsyncStub types exist only in the generated .pyi

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date

import grpc

from cabanas.v1 import (
    accounts_pb2,
    accounts_pb2_grpc,
    booking_pb2,
    booking_pb2_grpc,
    calendar_pb2,
    calendar_pb2_grpc,
    common_pb2,
    payments_pb2,
    payments_pb2_grpc,
    speech_pb2,
    speech_pb2_grpc,
)
from services.common import pb
from services.common.errors import DomainError
from services.common.grpc_clients import channel, downstream, error_info
from services.common.settings import Settings
from services.messaging import convert
from services.messaging.ports import (
    CHAT_CANCEL_REASON,
    Availability,
    Balance,
    BookingEvent,
    Cabin,
    FeedState,
    Held,
    Member,
    PaymentEvent,
    Ports,
    Refused,
)

STREAM_SECONDS = 3600  # a following event stream is reopened (from the cursor) every hour
MAX_CABIN_PAGES = 10  # a thousand cabins: far more than one owner's, and a bound on one turn's work
MAX_USER_PAGES = 10  # a thousand users: far more than one business's team
LINK_SECONDS = 8  # how long a guest's reply waits for payments (a link, a balance) before saying less


def ports(settings: Settings) -> Ports:
    booking = booking_pb2_grpc.BookingServiceStub(channel(settings.booking_addr))
    payments = payments_pb2_grpc.PaymentsServiceStub(channel(settings.payments_addr, 10.0))
    speech = speech_pb2_grpc.SpeechServiceStub(channel(settings.speech_addr, 60.0))
    accounts = accounts_pb2_grpc.AccountsServiceStub(channel(settings.accounts_addr))
    calendar = calendar_pb2_grpc.CalendarServiceStub(channel(settings.calendar_addr))
    return Ports(
        GrpcBackend(booking, payments),
        GrpcFeeds(booking, payments),
        GrpcSpeech(speech),
        GrpcTeam(accounts),
        GrpcCalendars(calendar),
    )


@contextmanager
def _refusals(*codes: grpc.StatusCode) -> Iterator[None]:
    """Booking answering one of `codes` as Refused, with its ErrorInfo reason; any other failure as downstream's."""
    with downstream("booking"):
        try:
            yield
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in codes:
                raise
            info = error_info(exc)
            raise Refused(str(info.reason) if info else exc.code().name, exc.details() or "") from exc


async def _balance(payments: payments_pb2_grpc.PaymentsServiceAsyncStub, code: str) -> Balance | None:
    request = payments_pb2.GetBalanceRequest(reservation_code=code)
    try:
        with downstream("payments"):
            return convert.balance(await payments.GetBalance(request, timeout=LINK_SECONDS))
    except DomainError:
        return None  # the guest is told less, not kept waiting


def _e164(phone: str) -> str:
    return f"+{phone.lstrip('+')}"


async def _payment_link(
    payments: payments_pb2_grpc.PaymentsServiceAsyncStub, code: str, deadline: float | None = None
) -> str:
    request = payments_pb2.CreatePaymentLinkRequest(reservation_code=code)
    with downstream("payments"):
        link = await payments.CreatePaymentLink(request, timeout=deadline)  # None: the channel's default
    return link.init_point


class GrpcBackend:
    """ports.Backend."""

    def __init__(
        self, booking: booking_pb2_grpc.BookingServiceAsyncStub, payments: payments_pb2_grpc.PaymentsServiceAsyncStub
    ) -> None:
        self.booking, self.payments = booking, payments

    async def cabins(self) -> list[Cabin]:
        """Every bookable cabin, page by page (at most MAX_CABIN_PAGES of 100)."""
        found, token = [], ""
        with downstream("booking"):
            for _ in range(MAX_CABIN_PAGES):
                request = booking_pb2.ListAccommodationsRequest(page={"page_size": 100, "page_token": token})
                reply = await self.booking.ListAccommodations(request)
                found += [convert.cabin(a) for a in reply.accommodations]
                if not (token := reply.page.next_page_token):
                    break
        return found

    async def offers(self, check_in: date, check_out: date, guests: int) -> Availability:
        request = booking_pb2.CheckAvailabilityRequest(stay=pb.range_pb(check_in, check_out), guests=guests)
        with _refusals(grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
            reply = await self.booking.CheckAvailability(request)
        return convert.availability(reply)

    async def hold(
        self, cabin_id: int, check_in: date, check_out: date, guests: int, phone: str, name: str, key: str
    ) -> Held:
        request = booking_pb2.PreReserveRequest(
            accommodation_id=cabin_id,
            stay=pb.range_pb(check_in, check_out),
            guests=guests,
            guest=booking_pb2.Guest(name=name or "Huésped", phone=_e164(phone)),
            channel=common_pb2.CHANNEL_WHATSAPP,
            idempotency_key=key,
        )
        with _refusals(
            grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND
        ):
            reply = await self.booking.PreReserve(request)
        return convert.held(reply.reservation)

    async def payment_link(self, code: str) -> str | None:
        try:
            return await _payment_link(self.payments, code, LINK_SECONDS)
        except DomainError:
            return None  # the hold stands; the link can follow

    async def reservations(self, phone: str) -> list[Held]:
        request = booking_pb2.ListReservationsRequest(guest_phone=_e164(phone), page={"page_size": 20})
        with downstream("booking"):
            reply = await self.booking.ListReservations(request)
        return [convert.held(r) for r in reply.reservations]

    async def cancel(self, code: str) -> None:
        request = booking_pb2.CancelReservationRequest(
            code=code, reason=CHAT_CANCEL_REASON, actor="guest", refund_mode=booking_pb2.REFUND_MODE_POLICY
        )
        with downstream("booking"):
            await self.booking.CancelReservation(request)

    async def payment_status(self, code: str) -> str | None:
        request = payments_pb2.ListPaymentsRequest(reservation_code=code, page={"page_size": 1})
        with downstream("payments"):
            reply = await self.payments.ListPayments(request)  # most recent first
        return convert.payment_status(reply.payments[0]) if reply.payments else None

    async def balance(self, code: str) -> Balance | None:
        return await _balance(self.payments, code)


class GrpcFeeds:
    """ports.Feeds."""

    def __init__(
        self, booking: booking_pb2_grpc.BookingServiceAsyncStub, payments: payments_pb2_grpc.PaymentsServiceAsyncStub
    ) -> None:
        self.booking, self.payments = booking, payments

    async def booking_events(self, after_id: int) -> AsyncIterator[BookingEvent]:
        request = booking_pb2.StreamEventsRequest(after_id=after_id, follow=True)
        with downstream("booking"):
            async for event in self.booking.StreamEvents(request, timeout=STREAM_SECONDS):
                yield convert.booking_event(event)

    async def payment_events(self, after_id: int) -> AsyncIterator[PaymentEvent]:
        request = payments_pb2.StreamPaymentEventsRequest(after_id=after_id, follow=True)
        with downstream("payments"):
            async for event in self.payments.StreamEvents(request, timeout=STREAM_SECONDS):
                yield convert.payment_event(event)

    async def reservation(self, code: str) -> Held | None:
        with downstream("booking"):
            try:
                found = await self.booking.GetReservation(booking_pb2.GetReservationRequest(code=code))
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND:
                    return None
                raise
        return convert.held(found.reservation)

    async def holds(self) -> list[Held]:
        request = booking_pb2.ListReservationsRequest(
            statuses=[common_pb2.RESERVATION_STATUS_PRE_RESERVED], page={"page_size": 100}
        )
        with downstream("booking"):
            reply = await self.booking.ListReservations(request)
        return [convert.held(r) for r in reply.reservations]

    async def payment_link(self, code: str) -> str:
        return await _payment_link(self.payments, code)

    async def cabin(self, cabin_id: int) -> Cabin | None:
        """Looked for in the list: messaging may list cabins, not get one (services/common/grpc_server.py)."""
        token = ""
        with downstream("booking"):
            for _ in range(MAX_CABIN_PAGES):
                page = {"page_size": 100, "page_token": token}
                request = booking_pb2.ListAccommodationsRequest(include_inactive=True, page=page)
                reply = await self.booking.ListAccommodations(request)
                if found := next((a for a in reply.accommodations if a.id == cabin_id), None):
                    return convert.cabin(found)
                if not (token := reply.page.next_page_token):
                    break
        return None

    async def balance(self, code: str) -> Balance | None:
        return await _balance(self.payments, code)


class GrpcSpeech:
    """ports.Transcriber."""

    def __init__(self, speech: speech_pb2_grpc.SpeechServiceAsyncStub) -> None:
        self.speech = speech

    async def transcribe(self, audio: bytes, mime_type: str, language: str) -> tuple[str, float]:
        request = speech_pb2.TranscribeRequest(audio=audio, mime_type=mime_type, language_hint=language)
        with downstream("speech"):
            reply = await self.speech.Transcribe(request)
        return reply.text, reply.confidence


class GrpcTeam:
    """ports.Team."""

    def __init__(self, accounts: accounts_pb2_grpc.AccountsServiceAsyncStub) -> None:
        self.accounts = accounts

    async def members(self) -> list[Member]:
        """The active users, page by page (at most MAX_USER_PAGES of 100)."""
        found, token = [], ""
        with downstream("accounts"):
            for _ in range(MAX_USER_PAGES):
                request = accounts_pb2.ListUsersRequest(page={"page_size": 100, "page_token": token})
                reply = await self.accounts.ListUsers(request)
                found += [convert.member(u) for u in reply.users if u.active]
                if not (token := reply.page.next_page_token):
                    break
        return found


class GrpcCalendars:
    """ports.Calendars."""

    def __init__(self, calendar: calendar_pb2_grpc.CalendarServiceAsyncStub) -> None:
        self.calendar = calendar

    async def feeds(self) -> list[FeedState]:
        with downstream("calendar"):
            reply = await self.calendar.ListFeeds(calendar_pb2.ListFeedsRequest())
        return [convert.feed_state(f) for f in reply.feeds]
