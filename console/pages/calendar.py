"""/calendario: a month per cabin with stays, holds and blocks; close or book a range of nights.

Without JavaScript a "tap" is a link: each free night opens /calendario/bloquear with that night
filled in, where the owner sets the last night and closes them or goes on to book them."""

from __future__ import annotations  # the stubs' AsyncStub classes exist for the type checker only

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from cabanas.v1 import booking_pb2, common_pb2
from console.calendar import Busy, for_viewer, kind_of, month_grid, month_of
from console.lookups import every_reservation
from console.pages.reservations import cabins, form_of, refusal
from console.render import page
from console.reservations import Problems, stay_of
from console.security import Viewer, ViewerDep, may, may_post
from services.common.pb import RESERVATION_STATUS_NAMES, day, range_pb
from services.common.roles import Action

router = APIRouter()
Blocker = Annotated[Viewer, Depends(may(Action.BLOCKS))]
BlockPoster = Annotated[Viewer, Depends(may_post(Action.BLOCKS))]
HOLDING = [
    common_pb2.RESERVATION_STATUS_PRE_RESERVED,
    common_pb2.RESERVATION_STATUS_CONFIRMED,
    common_pb2.RESERVATION_STATUS_BLOCKED,
]
FLASHES = ("bloqueado", "desbloqueado")
MAX_REASON = 200  # booking's limit


def _busy(r: booking_pb2.Reservation) -> Busy:
    return Busy(
        code=r.code,
        cabin_id=r.accommodation_id,
        check_in=day(r.stay.start),
        check_out=day(r.stay.end),
        kind=kind_of(RESERVATION_STATUS_NAMES.get(r.status, ""), r.external_source),
        source=r.external_source,
        guest=r.guest.name,
        reason=r.block_reason,
    )


def _today(request: Request) -> date:
    return datetime.now(UTC).astimezone(request.app.state.zone).date()


async def _calendar(
    request: Request, viewer: Viewer, month: str, flash: str = "", error: str = "", status: int = 200
) -> Response:
    today = _today(request)
    first = month_of(month, today)
    end = (first + timedelta(days=31)).replace(day=1)
    query = booking_pb2.ListReservationsRequest(statuses=HOLDING, overlapping=range_pb(first, end))
    busy = [_busy(r) for r in await every_reservation(request.app.state.clients.booking, query)]
    if not viewer.sees_private:
        busy = [for_viewer(b) for b in busy]
    return page(
        request,
        "calendario.html",
        status=status,
        viewer=viewer,
        active="/calendario",
        month=month_grid(first, await cabins(request), busy, today),
        flash=flash,
        error=error,
    )


@router.get("/calendario")
async def calendario(
    request: Request,
    viewer: ViewerDep,
    mes: Annotated[str, Query(max_length=7)] = "",
    listo: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return await _calendar(request, viewer, mes, flash=listo if listo in FLASHES else "")


async def _block_form(
    request: Request, viewer: Viewer, form: dict[str, str], status: int = 200, **context: object
) -> Response:
    return page(
        request,
        "calendario-bloquear.html",
        status=status,
        viewer=viewer,
        active="/calendario",
        cabins=await cabins(request),
        form=form,
        problems=context.pop("problems", {}),
        **context,
    )


@router.get("/calendario/bloquear")
async def bloquear_form(
    request: Request,
    viewer: Blocker,
    cabana: Annotated[str, Query(max_length=20)] = "",
    desde: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    try:
        until = (date.fromisoformat(desde) + timedelta(days=1)).isoformat()
    except ValueError:
        desde = until = ""
    return await _block_form(request, viewer, {"cabana": cabana, "desde": desde, "hasta": until})


@router.post("/calendario/bloquear")
async def bloquear(request: Request, viewer: BlockPoster) -> Response:
    form = await form_of(request)
    problems: Problems = {}
    stay = stay_of(form, problems)
    cabin, reason = form.get("cabana", ""), form.get("motivo", "").strip()
    if not cabin.isdigit():
        problems["cabana"] = "required"
    if len(reason) > MAX_REASON:
        problems["motivo"] = "long"
    if stay is None or problems:
        return await _block_form(request, viewer, form, 422, problems=problems)
    try:
        await request.app.state.clients.booking.CreateBlock(
            booking_pb2.CreateBlockRequest(
                accommodation_id=int(cabin), stay=range_pb(*stay), reason=reason, actor=viewer.actor
            )
        )
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _block_form(request, viewer, form, status, error=error)
    return RedirectResponse(f"/calendario?mes={stay[0]:%Y-%m}&listo=bloqueado", status_code=303)


@router.post("/calendario/desbloquear")
async def desbloquear(request: Request, viewer: BlockPoster) -> Response:
    form = await form_of(request)
    month = form.get("mes", "")[:7]
    try:
        await request.app.state.clients.booking.RemoveBlock(
            booking_pb2.RemoveBlockRequest(code=form.get("codigo", "")[:40], actor=viewer.actor)
        )
    except grpc.aio.AioRpcError as exc:
        status, error = refusal(exc)
        return await _calendar(request, viewer, month, error=error, status=status)
    return RedirectResponse(
        f"/calendario?mes={month_of(month, _today(request)):%Y-%m}&listo=desbloqueado", status_code=303
    )
