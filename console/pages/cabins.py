"""/cabanas: create and edit cabins in pesos, with the answers the bot gives."""

from __future__ import annotations  # the stubs' AsyncStub classes exist for the type checker only

from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from google.protobuf.field_mask_pb2 import FieldMask
from starlette.exceptions import HTTPException

from cabanas.v1 import booking_pb2
from console import cabins
from console.lookups import every_cabin
from console.render import page
from console.security import Viewer, may, may_post
from services.common.cancellation import describe
from services.common.grpc_clients import error_info
from services.common.roles import Action

router = APIRouter()
Owner = Annotated[Viewer, Depends(may(Action.CABINS))]
OwnerForm = Annotated[Viewer, Depends(may_post(Action.CABINS))]
CabinId = Annotated[int, Path(ge=1, le=2**63 - 1)]
FLASHES = ("creada", "guardada")  # what ?listo= may say after a POST
# booking's refusals whose message is already Spanish and about the form (not a raw database error).
SPANISH_REASONS = ("INVALID_SEASON", "INVALID_GUEST_INFO", "INVALID_GUEST_MESSAGES", "INVALID_TIME_ZONE")
POLICY_REASON = "INVALID_POLICY"  # the cancellation rules do not make a policy: said under them


async def one_cabin(request: Request, id: int) -> booking_pb2.Accommodation:
    """The cabin `id`; 404 when booking has none."""
    try:
        found: booking_pb2.Accommodation = await request.app.state.clients.booking.GetAccommodation(
            booking_pb2.GetAccommodationRequest(id=id)
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise HTTPException(404) from exc
        raise
    return found


@router.get("/cabanas")
async def cabanas(request: Request, viewer: Owner, listo: Annotated[str, Query(max_length=20)] = "") -> Response:
    found = await every_cabin(request.app.state.clients.booking)
    return page(
        request,
        "cabanas.html",
        viewer=viewer,
        active="/cabanas",
        cabins=[cabins.row(c) for c in found],
        flash=listo if listo in FLASHES else "",
    )


def _form(
    request: Request,
    viewer: Viewer,
    cabin: booking_pb2.Accommodation,
    form: dict[str, str],
    status: int = 200,
    wrong: set[str] | None = None,
    problem: str = "",
    flash: str = "",
) -> Response:
    """The cabin's form; `cabin` as booking has it (an empty one for a new cabin), whose policy
    the page words as it stands."""
    return page(
        request,
        "cabanas_editar.html",
        status=status,
        viewer=viewer,
        active="/cabanas",
        cabin_id=cabin.id,
        form=form,
        answers=cabins.ANSWERS,
        words=cabins.WORDS,
        seasons=cabins.season_rows(form),
        rules=cabins.rule_rows(form),
        policy=describe(cabins.rules_of(cabin)),
        own_policy=bool(cabin.cancellation_rules),
        wrong=wrong or set(),
        problem=problem,
        flash=flash,
    )


@router.get("/cabanas/nueva")
async def nueva(request: Request, viewer: Owner) -> Response:
    return _form(request, viewer, booking_pb2.Accommodation(), cabins.values(booking_pb2.Accommodation()))


@router.get("/cabanas/{cabin_id}")
async def editar(
    request: Request, cabin_id: CabinId, viewer: Owner, listo: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    cabin = await one_cabin(request, cabin_id)
    return _form(request, viewer, cabin, cabins.values(cabin), flash=listo if listo in FLASHES else "")


async def _posted(request: Request) -> dict[str, str]:
    return {key: value for key, value in (await request.form()).items() if isinstance(value, str)}


def _refused(exc: grpc.aio.AioRpcError) -> tuple[set[str], str]:
    """What to tell the owner when booking refuses the cabin: the field it is about, if the form
    has one, and booking's own Spanish words, when it has them."""
    info = error_info(exc)
    if info and info.reason == POLICY_REASON:
        return {"policy"}, exc.details() or "refused"
    if info and info.reason in SPANISH_REASONS:
        return set(), exc.details() or "refused"
    return set(), "refused"


@router.post("/cabanas/nueva")
async def crear(request: Request, viewer: OwnerForm) -> Response:
    form = await _posted(request)
    new = booking_pb2.Accommodation()
    try:
        cabin = cabins.accommodation(form, new)
    except cabins.FormErrors as errors:
        return _form(request, viewer, new, form, 422, errors.fields)
    booking = request.app.state.clients.booking
    try:
        created = await booking.CreateAccommodation(booking_pb2.CreateAccommodationRequest(accommodation=cabin))
        if not cabin.active:  # proto3 cannot say "false" on create: booking's default is active
            await booking.UpdateAccommodation(
                booking_pb2.UpdateAccommodationRequest(
                    id=created.id, accommodation=cabin, update_mask=FieldMask(paths=["active"])
                )
            )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.ALREADY_EXISTS:
            return _form(request, viewer, new, form, 409, {"name"}, "taken")
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return _form(request, viewer, new, form, 422, *_refused(exc))
    return RedirectResponse(f"/cabanas/{created.id}?listo=creada", status_code=303)


@router.post("/cabanas/{cabin_id}")
async def guardar(request: Request, cabin_id: CabinId, viewer: OwnerForm) -> Response:
    form = await _posted(request)
    current = await one_cabin(request, cabin_id)
    try:
        cabin = cabins.accommodation(form, current)
    except cabins.FormErrors as errors:
        return _form(request, viewer, current, form, 422, errors.fields)
    change = booking_pb2.UpdateAccommodationRequest(
        id=cabin_id, accommodation=cabin, update_mask=FieldMask(paths=list(cabins.PATHS))
    )
    try:
        await request.app.state.clients.booking.UpdateAccommodation(change)
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return _form(request, viewer, current, form, 422, *_refused(exc))
    return RedirectResponse(f"/cabanas/{cabin_id}?listo=guardada", status_code=303)
