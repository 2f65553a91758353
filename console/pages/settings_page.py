"""/ajustes: your own profile and password (everyone signed in); the owner's alerts and API tokens.

A new password ends every session of the user (accounts' rule), this one too: the console opens
a fresh one with the new password at once, so changing it does not sign the person out. An API
token's secret is shown once, in the answer to the POST that created it (pages are never cached)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from google.protobuf.field_mask_pb2 import FieldMask

from cabanas.v1 import accounts_pb2
from console.render import page
from console.security import SESSION_COOKIE, FormViewerDep, Viewer, ViewerDep, may_post, set_cookie
from services.common import pb
from services.common.grpc_clients import error_info
from services.common.roles import Action
from services.common.web import client_ip

router = APIRouter()
OwnerForm = Annotated[Viewer, Depends(may_post(Action.SETTINGS))]
TokenId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ALERTS = pb.enum_values(accounts_pb2.Alert, "ALERT_")  # "new_booking" -> ALERT_NEW_BOOKING, in the contract's order
ALERT_NAMES = pb.enum_names(accounts_pb2.Alert, "ALERT_")
CHANNELS = tuple(accounts_pb2.NotificationPreferences.DESCRIPTOR.fields_by_name)  # "whatsapp", "email"
FLASHES = ("perfil", "clave", "avisos", "revocado")
PROFILE_FIELDS = {"INVALID_NAME": "name", "INVALID_PHONE": "phone"}


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def _token(token: accounts_pb2.ApiToken) -> Token:
    used = token.last_used_at.ToDatetime(tzinfo=UTC) if token.HasField("last_used_at") else None
    return Token(
        token.id,
        token.name,
        token.prefix,
        token.created_at.ToDatetime(tzinfo=UTC),
        used,
        token.HasField("revoked_at"),
    )


async def _page(
    request: Request,
    viewer: Viewer,
    status: int = 200,
    profile: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    secret: str = "",
    flash: str = "",
) -> Response:
    accounts = request.app.state.clients.accounts
    me = await accounts.GetUser(accounts_pb2.GetUserRequest(id=viewer.user_id))
    tokens: list[Token] = []
    if viewer.can(Action.SETTINGS):
        listed = await accounts.ListApiTokens(accounts_pb2.ListApiTokensRequest(user_id=viewer.user_id))
        tokens = [_token(t) for t in listed.tokens]
    chosen = {channel: {ALERT_NAMES[a] for a in getattr(me.notifications, channel)} for channel in CHANNELS}
    return page(
        request,
        "ajustes.html",
        status=status,
        viewer=viewer,
        active="/ajustes",
        me=me,
        profile=profile or {"name": me.name, "phone": me.phone},
        errors=errors or {},
        alerts=list(ALERTS),
        channels=CHANNELS,
        chosen=chosen,
        tokens=[t for t in tokens if not t.revoked],
        revoked=[t for t in tokens if t.revoked],
        secret=secret,
        flash=flash,
    )


@router.get("/ajustes")
async def ajustes(request: Request, viewer: ViewerDep, listo: Annotated[str, Query(max_length=20)] = "") -> Response:
    return await _page(request, viewer, flash=listo if listo in FLASHES else "")


@router.post("/ajustes/perfil")
async def perfil(
    request: Request,
    viewer: FormViewerDep,
    nombre: Annotated[str, Form(max_length=200)] = "",
    telefono: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    change = accounts_pb2.UpdateUserRequest(
        id=viewer.user_id,
        user=accounts_pb2.User(name=nombre, phone=telefono),
        update_mask=FieldMask(paths=["name", "phone"]),
    )
    try:
        await request.app.state.clients.accounts.UpdateUser(change)
    except grpc.aio.AioRpcError as exc:
        info = error_info(exc)
        field = PROFILE_FIELDS.get(info.reason if info else "")
        if field is None:
            raise
        return await _page(request, viewer, 422, {"name": nombre, "phone": telefono}, {field: exc.details() or ""})
    return RedirectResponse("/ajustes?listo=perfil", status_code=303)


@router.post("/ajustes/clave")
async def clave(
    request: Request,
    viewer: FormViewerDep,
    actual: Annotated[str, Form(max_length=256)] = "",
    nueva: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    if not actual:
        return await _page(request, viewer, 422, errors={"current": "Escribí tu contraseña actual."})
    accounts = request.app.state.clients.accounts
    change = accounts_pb2.SetPasswordRequest(user_id=viewer.user_id, password=nueva, current_password=actual)
    try:
        me = await accounts.SetPassword(change)
    except grpc.aio.AioRpcError as exc:
        info = error_info(exc)
        if info and info.reason == "LOGIN_FAILED":
            return await _page(request, viewer, 422, errors={"current": "Esa no es tu contraseña actual."})
        if info and info.reason == "WEAK_PASSWORD":
            return await _page(request, viewer, 422, errors={"new": exc.details() or ""})
        raise
    # Every session of theirs ended, this one too: open the next one with the new password.
    peer = request.client.host if request.client else ""
    client = client_ip(peer, request.headers.get("x-forwarded-for"), request.app.state.proxies)
    try:
        session = await accounts.Login(accounts_pb2.LoginRequest(email=me.email, password=nueva, client=client))
    except grpc.aio.AioRpcError:  # throttled, or accounts went away: the password changed all the same
        return RedirectResponse("/login", status_code=303)
    response = RedirectResponse("/ajustes?listo=clave", status_code=303)
    max_age = int(request.app.state.settings.session_max_hours * 3600)
    set_cookie(response, request, SESSION_COOKIE, session.token, max_age)
    return response


@router.post("/ajustes/avisos")
async def avisos(request: Request, viewer: OwnerForm) -> Response:
    form = await request.form()
    chosen = accounts_pb2.NotificationPreferences(
        **{
            channel: [ALERTS[a] for a in form.getlist(channel) if isinstance(a, str) and a in ALERTS]
            for channel in CHANNELS
        }
    )
    await request.app.state.clients.accounts.UpdateUser(
        accounts_pb2.UpdateUserRequest(
            id=viewer.user_id,
            user=accounts_pb2.User(notifications=chosen),
            update_mask=FieldMask(paths=["notifications"]),
        )
    )
    return RedirectResponse("/ajustes?listo=avisos", status_code=303)


@router.post("/ajustes/tokens")
async def crear_token(
    request: Request, viewer: OwnerForm, nombre: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    try:
        created = await request.app.state.clients.accounts.CreateApiToken(
            accounts_pb2.CreateApiTokenRequest(user_id=viewer.user_id, name=nombre)
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return await _page(request, viewer, 422, errors={"token": "Ponele un nombre de hasta 80 letras."})
    return await _page(request, viewer, secret=created.secret)


@router.post("/ajustes/tokens/{token_id}/revocar")
async def revocar(request: Request, token_id: TokenId, viewer: OwnerForm) -> Response:
    try:
        await request.app.state.clients.accounts.RevokeApiToken(
            accounts_pb2.RevokeApiTokenRequest(user_id=viewer.user_id, id=token_id)
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
    return RedirectResponse("/ajustes?listo=revocado#tokens", status_code=303)
