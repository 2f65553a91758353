"""/login and /logout."""

import math
from typing import Annotated

import grpc
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from cabanas.v1 import accounts_pb2
from console.render import page
from console.security import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfRefused,
    FormViewerDep,
    LoginRequired,
    current_viewer,
    matches,
    new_login_token,
    set_cookie,
)
from services.common.grpc_clients import error_info
from services.common.web import client_ip

router = APIRouter()
LOGIN_FORM_SECONDS = 3600  # how long a login form's double-submit token lives
REFUSED = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.INVALID_ARGUMENT)  # same answer: nothing to learn


def _form(request: Request, status: int = 200, email: str = "", problem: str = "", minutes: int = 0) -> Response:
    """The login form with a fresh double-submit token (in the form and in its cookie)."""
    token = new_login_token()
    response = page(request, "login.html", status=status, csrf=token, email=email, problem=problem, minutes=minutes)
    set_cookie(response, request, LOGIN_COOKIE, token, LOGIN_FORM_SECONDS, path="/login")
    return response


@router.get("/login")
async def login_form(request: Request) -> Response:
    try:
        await current_viewer(request)
    except LoginRequired:
        return _form(request)
    return RedirectResponse("/hoy", status_code=303)


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    if not matches(csrf_token, request.cookies.get(LOGIN_COOKIE, "")):
        raise CsrfRefused
    accounts = request.app.state.clients.accounts
    peer = request.client.host if request.client else ""
    client = client_ip(peer, request.headers.get("x-forwarded-for"), request.app.state.proxies)
    try:
        session = await accounts.Login(accounts_pb2.LoginRequest(email=email, password=password, client=client))
    except grpc.aio.AioRpcError as exc:
        if exc.code() in REFUSED:
            return _form(request, email=email, problem="wrong")  # a page like any other: the browser logs no error
        if exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
            return _throttled(request, exc, email)
        raise
    await _end(request, request.cookies.get(SESSION_COOKIE, ""))  # rotation: whatever session the browser had ends
    response = RedirectResponse("/hoy", status_code=303)
    max_age = int(request.app.state.settings.session_max_hours * 3600)
    set_cookie(response, request, SESSION_COOKIE, session.token, max_age)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _throttled(request: Request, exc: grpc.aio.AioRpcError, email: str) -> Response:
    info = error_info(exc)
    seconds = int(info.metadata.get("retry_after_seconds", "60")) if info else 60
    response = _form(request, 429, email=email, problem="throttled", minutes=max(1, math.ceil(seconds / 60)))
    response.headers["Retry-After"] = str(seconds)
    return response


async def _end(request: Request, token: str) -> None:
    if token:
        await request.app.state.clients.accounts.Logout(accounts_pb2.LogoutRequest(token=token))


@router.post("/logout")
async def logout(request: Request, viewer: FormViewerDep) -> Response:
    await _end(request, viewer.session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
