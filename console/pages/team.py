"""/equipo (owner only): the people who use the console; invite, change roles, deactivate."""

from dataclasses import dataclass
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from google.protobuf.field_mask_pb2 import FieldMask

from cabanas.v1 import accounts_pb2, common_pb2
from console.render import page
from console.security import ROLES, Viewer, may, may_post
from services.common.grpc_clients import error_info
from services.common.roles import Action, Role

router = APIRouter()
Owner = Annotated[Viewer, Depends(may(Action.USERS))]
OwnerForm = Annotated[Viewer, Depends(may_post(Action.USERS))]
UserId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ROLE_VALUES = {role.value: number for number, role in ROLES.items()}  # "owner" -> ROLE_OWNER
FLASHES = ("invitado", "rol", "desactivado", "activado")
PAGE_SIZE = 100
MAX_PAGES = 10
# accounts' refusals of an invitation, by the form field they are about (their messages are Spanish).
INVITE_FIELDS = {
    "INVALID_EMAIL": "email",
    "ALREADY_EXISTS": "email",
    "INVALID_NAME": "name",
    "INVALID_PHONE": "phone",
    "INVALID_ROLE": "role",
    "WEAK_PASSWORD": "password",
}


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    email: str
    phone: str
    role: str  # Role's value: "owner", "staff", "viewer"
    active: bool


async def _members(request: Request) -> list[Member]:
    found: list[Member] = []
    token = ""
    for _ in range(MAX_PAGES):
        reply = await request.app.state.clients.accounts.ListUsers(
            accounts_pb2.ListUsersRequest(page=common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=token))
        )
        found += [Member(u.id, u.name, u.email, u.phone, ROLES[u.role].value, u.active) for u in reply.users]
        token = reply.page.next_page_token
        if not token:
            break
    return found


async def _page(
    request: Request,
    viewer: Viewer,
    status: int = 200,
    invite: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problem: str = "",
    flash: str = "",
) -> Response:
    members = await _members(request)
    return page(
        request,
        "equipo.html",
        status=status,
        viewer=viewer,
        active="/equipo",
        members=sorted(members, key=lambda m: (not m.active, m.name.lower())),
        roles=[role.value for role in Role],
        invite=invite or {"role": Role.STAFF.value},
        errors=errors or {},
        problem=problem,
        flash=flash,
    )


@router.get("/equipo")
async def equipo(request: Request, viewer: Owner, listo: Annotated[str, Query(max_length=20)] = "") -> Response:
    return await _page(request, viewer, flash=listo if listo in FLASHES else "")


@router.post("/equipo/invitar")
async def invitar(
    request: Request,
    viewer: OwnerForm,
    email: Annotated[str, Form(max_length=254)] = "",
    nombre: Annotated[str, Form(max_length=200)] = "",
    telefono: Annotated[str, Form(max_length=40)] = "",
    rol: Annotated[str, Form(max_length=20)] = "",
    clave: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    invite = {"email": email, "name": nombre, "phone": telefono, "role": rol}
    if rol not in ROLE_VALUES:
        return await _page(request, viewer, 422, invite, {"role": ""})
    created = accounts_pb2.CreateUserRequest(
        email=email, name=nombre, phone=telefono, role=ROLE_VALUES[rol], password=clave
    )
    try:
        await request.app.state.clients.accounts.CreateUser(created)
    except grpc.aio.AioRpcError as exc:
        info = error_info(exc)
        field = INVITE_FIELDS.get(info.reason if info else "")
        if field is None or exc.code() not in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.ALREADY_EXISTS):
            raise
        return await _page(request, viewer, 422, invite, {field: exc.details() or ""})
    return RedirectResponse("/equipo?listo=invitado", status_code=303)


async def _change(
    request: Request, viewer: Viewer, user_id: int, user: accounts_pb2.User, path: str
) -> Response | None:
    """UpdateUser of one field; the page with the reason when accounts refuses (the last owner), None when done."""
    change = accounts_pb2.UpdateUserRequest(id=user_id, user=user, update_mask=FieldMask(paths=[path]))
    try:
        await request.app.state.clients.accounts.UpdateUser(change)
    except grpc.aio.AioRpcError as exc:
        info = error_info(exc)
        if info and info.reason == "LAST_OWNER":
            return await _page(request, viewer, 409, problem="last_owner")
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return await _page(request, viewer, 404, problem="gone")
        raise
    return None


@router.post("/equipo/{user_id}/rol")
async def cambiar_rol(
    request: Request, user_id: UserId, viewer: OwnerForm, rol: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    if rol not in ROLE_VALUES:
        return await _page(request, viewer, 422, problem="role")
    refused = await _change(request, viewer, user_id, accounts_pb2.User(role=ROLE_VALUES[rol]), "role")
    if refused:
        return refused
    if user_id == viewer.user_id and rol != Role.OWNER:
        return RedirectResponse("/hoy", status_code=303)  # they just gave up this page
    return RedirectResponse("/equipo?listo=rol", status_code=303)


@router.post("/equipo/{user_id}/activo")
async def activar(
    request: Request, user_id: UserId, viewer: OwnerForm, activo: Annotated[str, Form(max_length=2)] = ""
) -> Response:
    on = activo == "si"
    if user_id == viewer.user_id and not on:
        return await _page(request, viewer, 409, problem="self")  # it would end this very session
    refused = await _change(request, viewer, user_id, accounts_pb2.User(active=on), "active")
    if refused:
        return refused
    return RedirectResponse(f"/equipo?listo={'activado' if on else 'desactivado'}", status_code=303)
