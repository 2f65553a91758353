"""/canales: each cabin's iCal feeds from the channels (add, sync now, remove, last sync and its
error) and the export URLs to paste into Airbnb and Booking.com."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from google.protobuf.message import Message

from cabanas.v1 import booking_pb2, calendar_pb2
from console import channels
from console.lookups import every_cabin
from console.render import page
from console.security import Viewer, may, may_post
from services.common.grpc_clients import error_info
from services.common.roles import Action

router = APIRouter()
Owner = Annotated[Viewer, Depends(may(Action.CABINS))]
OwnerForm = Annotated[Viewer, Depends(may_post(Action.CABINS))]
FeedId = Annotated[int, Path(ge=1, le=2**63 - 1)]
FLASHES = ("agregado", "quitado", "sincronizado", "sin-cambios", "fallo", "ocupado")
SYNCED = {
    calendar_pb2.SYNC_STATUS_OK: "sincronizado",
    calendar_pb2.SYNC_STATUS_NOT_MODIFIED: "sin-cambios",
    calendar_pb2.SYNC_STATUS_FAILED: "fallo",
    calendar_pb2.SYNC_STATUS_SKIPPED: "ocupado",
}
OK = (calendar_pb2.SYNC_STATUS_OK, calendar_pb2.SYNC_STATUS_NOT_MODIFIED)


@dataclass
class Cabin:
    id: int
    name: str
    feeds: list[channels.Feed] = field(default_factory=list)
    exports: list[channels.Export] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """What went wrong adding a feed, and the form's values to show again."""

    cabin_id: int
    what: str  # "url", "taken", "source"
    url: str
    source: str


def _moment(message: Message, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    value: datetime = getattr(message, name).ToDatetime(tzinfo=UTC)
    return value


def _feed(feed: calendar_pb2.Feed) -> channels.Feed:
    failed = feed.last_status == calendar_pb2.SYNC_STATUS_FAILED
    return channels.Feed(
        id=feed.id,
        source=feed.source,
        url=feed.url,
        short=channels.short_url(feed.url),
        synced_at=_moment(feed, "last_sync_at"),
        ok_at=_moment(feed, "last_success_at"),
        failed=failed,
        error=channels.sync_error(feed.last_error) if failed else "",
        events=feed.events_count,
        conflicts=feed.conflicts_count,
    )


async def _cabin(request: Request, cabin: booking_pb2.Accommodation, feeds: list[calendar_pb2.Feed]) -> Cabin:
    urls = await request.app.state.clients.calendar.ExportUrl(calendar_pb2.ExportUrlRequest(accommodation_id=cabin.id))
    mine = [_feed(f) for f in feeds if f.accommodation_id == cabin.id]
    return Cabin(cabin.id, cabin.name, mine, channels.exports(urls.export_url, dict(urls.per_source_urls)))


async def _page(
    request: Request, viewer: Viewer, status: int = 200, problem: Problem | None = None, flash: str = ""
) -> Response:
    clients = request.app.state.clients
    found, listed = await asyncio.gather(
        every_cabin(clients.booking), clients.calendar.ListFeeds(calendar_pb2.ListFeedsRequest())
    )
    cabins = await asyncio.gather(*(_cabin(request, c, list(listed.feeds)) for c in found))
    return page(
        request,
        "canales.html",
        status=status,
        viewer=viewer,
        active="/canales",
        cabins=cabins,
        sources=channels.SOURCES,
        problem=problem,
        flash=flash,
    )


@router.get("/canales")
async def canales(request: Request, viewer: Owner, listo: Annotated[str, Query(max_length=20)] = "") -> Response:
    return await _page(request, viewer, flash=listo if listo in FLASHES else "")


@router.post("/canales/calendarios")
async def agregar(
    request: Request,
    viewer: OwnerForm,
    cabana: Annotated[int, Form(ge=1, le=2**63 - 1)],
    url: Annotated[str, Form(max_length=2000)] = "",
    canal: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    url = url.strip()
    if canal not in channels.SOURCES:
        return await _page(request, viewer, 422, Problem(cabana, "source", url, canal))
    if not url.startswith(("http://", "https://")):
        return await _page(request, viewer, 422, Problem(cabana, "url", url, canal))
    try:
        await request.app.state.clients.calendar.AddFeed(
            calendar_pb2.AddFeedRequest(accommodation_id=cabana, url=url, source=canal)
        )
    except grpc.aio.AioRpcError as exc:
        info = error_info(exc)
        if exc.code() == grpc.StatusCode.ALREADY_EXISTS:
            return await _page(request, viewer, 409, Problem(cabana, "taken", url, canal))
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            what = "source" if info and info.reason == "INVALID_SOURCE" else "url"
            return await _page(request, viewer, 422, Problem(cabana, what, url, canal))
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return RedirectResponse("/canales", status_code=303)  # the cabin is gone: the page shows what is left
        raise
    return RedirectResponse(f"/canales?listo=agregado#cabana-{cabana}", status_code=303)


@router.post("/canales/calendarios/{feed_id}/sincronizar", dependencies=[Depends(may_post(Action.CABINS))])
async def sincronizar(request: Request, feed_id: FeedId) -> Response:
    try:
        result = await request.app.state.clients.calendar.SyncFeed(calendar_pb2.SyncFeedRequest(id=feed_id))
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return RedirectResponse("/canales", status_code=303)
    done = SYNCED.get(result.status, "fallo")
    return RedirectResponse(f"/canales?listo={done}#calendario-{feed_id}", status_code=303)


@router.post("/canales/calendarios/{feed_id}/quitar", dependencies=[Depends(may_post(Action.CABINS))])
async def quitar(request: Request, feed_id: FeedId) -> Response:
    try:
        await request.app.state.clients.calendar.RemoveFeed(calendar_pb2.RemoveFeedRequest(id=feed_id))
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
    return RedirectResponse("/canales?listo=quitado", status_code=303)
