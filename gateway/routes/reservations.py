"""Public reservations. A reservation code is not a password: guest data and
cancelling need the manage token handed out once at creation (or an admin
token), and no public route confirms a reservation.

Holds made here are `web` holds, capped per client: anyone can name any phone,
so WhatsApp holds (which lead to messages to that phone) come only from the
bot, and booking refuses a client's or phone's hold past its cap of open ones."""

import logging
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse

from cabanas.v1 import booking_pb2, common_pb2, payments_pb2
from gateway import schemas, views
from gateway.deps import ClientsDep, OptionalAdminDep, SettingsDep
from gateway.errors import error_response
from gateway.routes import API_PREFIX
from gateway.routes.payment_pages import pay_link
from services.common import pb
from services.common.roles import Action, allowed
from services.common.web import client_ip, trusted_networks

log = logging.getLogger(__name__)
router = APIRouter(
    prefix=f"{API_PREFIX}/reservations", tags=["reservations"], responses=schemas.errors(*schemas.UPSTREAM)
)

ManageToken = Annotated[str | None, Header(alias="X-Manage-Token", max_length=200)]
CREATE_ERRORS = schemas.errors(
    400,
    described={
        409: "`dates_unavailable`: the dates were taken; `too_many_open_holds`: this guest phone"
        " (MAX_OPEN_HOLDS_PER_PHONE) or this client (MAX_OPEN_HOLDS_PER_CLIENT) already has that many holds"
        " waiting for payment (`details.scope`: phone or client, `details.limit`); pay, cancel or let one expire",
        422: "`channel_not_allowed`: only web reservations are made here; `validation_error` and the service's"
        " own codes (`min_nights`, `capacity_exceeded`...) for the rest",
    },
)


async def _client(request: Request, settings: SettingsDep) -> str:
    """The caller as the rate limiter names it (X-Forwarded-For only from TRUSTED_PROXIES)."""
    peer = request.client.host if request.client else "unknown"
    return client_ip(peer, request.headers.get("x-forwarded-for"), trusted_networks(settings.trusted_proxies))


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=schemas.ReservationCreated, responses=CREATE_ERRORS
)
async def create_reservation(
    body: schemas.ReservationIn,
    clients: ClientsDep,
    settings: SettingsDep,
    client_id: Annotated[str, Depends(_client)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> schemas.ReservationCreated | JSONResponse:
    if body.channel != "web":
        return error_response(
            422, "channel_not_allowed", "Only web reservations are made here; on WhatsApp, write to us."
        )
    reply = await clients.booking.PreReserve(
        booking_pb2.PreReserveRequest(
            accommodation_id=body.accommodation_id,
            stay=pb.range_pb(body.check_in, body.check_out),
            guests=body.guests,
            guest=booking_pb2.Guest(name=body.guest_name, phone=body.guest_phone, email=body.guest_email or ""),
            channel=common_pb2.CHANNEL_WEB,
            idempotency_key=idempotency_key or "",
            client_id=client_id,
        )
    )
    view = views.reservation(reply.reservation, full=True)
    view.payment_url = pay_link(settings, reply.reservation.code)  # the checkout is made when first opened
    return schemas.ReservationCreated(**view.model_dump(), manage_token=reply.manage_token)


async def _lookup(clients: ClientsDep, code: str, token: str | None) -> booking_pb2.GetReservationResponse:
    return await clients.booking.GetReservation(booking_pb2.GetReservationRequest(code=code, manage_token=token or ""))


@router.get("/{code}", response_model_exclude_none=True, responses=schemas.errors(401, 403, 404))
async def get_reservation(
    code: str, clients: ClientsDep, admin: OptionalAdminDep, manage_token: ManageToken = None
) -> schemas.ReservationOut:
    reply = await _lookup(clients, code, manage_token)
    private = admin is not None and allowed(admin.role, Action.SEE_PRIVATE)
    view = views.reservation(reply.reservation, full=private or reply.manage_token_valid)
    if (private or reply.manage_token_valid) and view.status != "blocked":
        await _with_balance(clients, view, admin=private)
    return view


async def _with_balance(clients: ClientsDep, view: schemas.ReservationOut, *, admin: bool) -> None:
    """Its money; when payments does not answer the view goes without (unknown, not zero)."""
    try:
        balance = await clients.payments.GetBalance(
            payments_pb2.GetBalanceRequest(reservation_code=view.code), timeout=5
        )
    except grpc.aio.AioRpcError as exc:
        log.warning("no balance for %s: %s %s", view.code, exc.code().name, exc.details())
        return
    views.balance(view, balance, admin=admin)


CANCEL_ERRORS = schemas.errors(
    400,
    401,
    403,
    404,
    409,
    described={
        422: "`invalid_refund`: an amount without `refund` amount or the other way round, or a refund other"
        " than the policy without a reason; `validation_error` for the rest"
    },
)


@router.post("/{code}/cancel", response_model_exclude_none=True, responses=CANCEL_ERRORS)
async def cancel_reservation(
    code: str,
    clients: ClientsDep,
    admin: OptionalAdminDep,
    manage_token: ManageToken = None,
    body: schemas.CancelIn | None = None,
) -> schemas.ReservationOut:
    """Cancel and free the dates. A guest (the manage token) gets the cabin's policy as it was when
    booked; an admin or API token may ask for all, an amount or nothing, with a reason."""
    if admin is None and not manage_token:
        raise HTTPException(401, "Cancelling needs the reservation's X-Manage-Token or an admin token.")
    if admin is None:
        reply = await _lookup(clients, code, manage_token)
        if not reply.manage_token_valid:
            raise HTTPException(403, "The manage token does not match this reservation.")
    elif not allowed(admin.role, Action.RESERVATIONS):
        raise HTTPException(403, f"The {admin.role} role may not do this.")
    actor = admin.actor if admin else "guest"
    cancelled = await clients.booking.CancelReservation(views.cancel_pb(code, actor, body if admin else None))
    return views.reservation(cancelled, full=True)
