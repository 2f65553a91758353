"""The owner's actions over the admin API: close and reopen nights, book by phone, move a stay,
notes and history. Like admin.py, every route needs the admin JWT or a user's API token (checked
by the middleware before the body is read) and the role its action needs; booking records the
caller as the actor of each change."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException

from cabanas.v1 import booking_pb2, common_pb2
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
TAKEN = schemas.errors(
    400,
    404,
    described={409: "`dates_unavailable`: something holds those nights (`details`: its range)"},
)
POLICIES = pb.enum_values(booking_pb2.PricePolicy, "PRICE_POLICY_")  # "reprice", "keep", "override"
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _money(minor: int | None) -> common_pb2.Money | None:
    return None if minor is None else common_pb2.Money(amount_minor=minor)


@router.post(
    "/accommodations/{accommodation_id}/blocks",
    status_code=201,
    response_model_exclude_none=True,
    responses=TAKEN,
    dependencies=[Depends(requires(Action.BLOCKS))],
)
async def create_block(
    accommodation_id: schemas.IdPath, body: schemas.BlockIn, clients: ClientsDep, admin: AdminDep
) -> schemas.ReservationOut:
    block = await clients.booking.CreateBlock(
        booking_pb2.CreateBlockRequest(
            accommodation_id=accommodation_id,
            stay=pb.range_pb(body.check_in, body.check_out),
            reason=body.reason,
            actor=admin.actor,
        )
    )
    return views.reservation(block, full=True)


@router.delete(
    "/accommodations/{accommodation_id}/blocks/{code}",
    response_model_exclude_none=True,
    responses=schemas.errors(
        404, described={409: "`channel_block`: a channel's block goes with its feed; `not_a_block`: a reservation"}
    ),
    dependencies=[Depends(requires(Action.BLOCKS))],
)
async def remove_block(
    accommodation_id: schemas.IdPath, code: str, clients: ClientsDep, admin: AdminDep
) -> schemas.ReservationOut:
    found = await clients.booking.GetReservation(booking_pb2.GetReservationRequest(code=code))
    if found.reservation.accommodation_id != accommodation_id:
        raise HTTPException(404, f"This cabin has no block {code}.")
    removed = await clients.booking.RemoveBlock(booking_pb2.RemoveBlockRequest(code=code, actor=admin.actor))
    return views.reservation(removed, full=True)


@router.post(
    "/reservations",
    status_code=201,
    response_model_exclude_none=True,
    responses=TAKEN,
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def create_manual_reservation(
    body: schemas.ManualReservationIn, clients: ClientsDep, admin: AdminDep, idempotency_key: IdempotencyKey = None
) -> schemas.ReservationOut:
    """A booking taken by phone or in person: confirmed at once. The same Idempotency-Key gives the same one back."""
    booked = await clients.booking.CreateManualReservation(
        booking_pb2.CreateManualReservationRequest(
            accommodation_id=body.accommodation_id,
            stay=pb.range_pb(body.check_in, body.check_out),
            guests=body.guests,
            guest=booking_pb2.Guest(name=body.guest_name, phone=body.guest_phone, email=body.guest_email or ""),
            price_override=_money(body.total_minor),
            note=body.note,
            actor=admin.actor,
            idempotency_key=idempotency_key or "",
        )
    )
    return views.reservation(booked, full=True)


@router.post(
    "/reservations/{code}/change-dates",
    response_model_exclude_none=True,
    responses=TAKEN,
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def change_dates(
    code: str, body: schemas.ChangeDatesIn, clients: ClientsDep, admin: AdminDep
) -> schemas.ReservationOut:
    moved = await clients.booking.ChangeDates(
        booking_pb2.ChangeDatesRequest(
            code=code,
            stay=pb.range_pb(body.check_in, body.check_out),
            price_policy=POLICIES[body.price],
            total=_money(body.total_minor),
            actor=admin.actor,
        )
    )
    return views.reservation(moved, full=True)


@router.post(
    "/reservations/{code}/notes",
    status_code=201,
    responses=schemas.errors(400, 404),
    dependencies=[Depends(requires(Action.RESERVATIONS))],
)
async def add_note(code: str, body: schemas.NoteIn, clients: ClientsDep, admin: AdminDep) -> schemas.HistoryEntryOut:
    entry = await clients.booking.AddNote(booking_pb2.AddNoteRequest(code=code, text=body.text, actor=admin.actor))
    return views.history_entry(entry)


@router.get(
    "/reservations/{code}/history",
    responses=schemas.errors(404),
    dependencies=[Depends(requires(Action.SEE_PRIVATE))],
)
async def history(code: str, clients: ClientsDep) -> list[schemas.HistoryEntryOut]:
    """What happened to the reservation and who did it, oldest first."""
    reply = await clients.booking.GetReservation(booking_pb2.GetReservationRequest(code=code, include_history=True))
    return [views.history_entry(h) for h in reply.history]
