"""Who is asking, and whether a form really came from our page.

Sessions: accounts.Login's token in an HttpOnly, SameSite=Lax cookie (Secure in production);
every page asks accounts.Authenticate, so an expired or revoked session (or a changed role)
counts at once. Only session tokens open pages: an API token in the cookie is refused.

CSRF: every form of a signed-in page carries HMAC-SHA256(CONSOLE_SECRET, session token) as
`csrf_token`; a POST without it, or with another, is 403. Another site can neither read the
cookie nor compute the HMAC. The login form has no session yet: it uses a double-submit token,
a random value both in a cookie (path /login) and in the form, which must match.
"""

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

import grpc
from fastapi import Depends, Form, Request, Response

from cabanas.v1 import accounts_pb2
from services.common.roles import Action, Role, allowed

SESSION_COOKIE = "cabanas_session"
LOGIN_COOKIE = "cabanas_login"
CSRF_FIELD = "csrf_token"
ROLES = {
    accounts_pb2.ROLE_OWNER: Role.OWNER,
    accounts_pb2.ROLE_STAFF: Role.STAFF,
    accounts_pb2.ROLE_VIEWER: Role.VIEWER,
}


class LoginRequired(Exception):
    """No live session: the visitor goes to /login (and a dead cookie is cleared)."""

    def __init__(self, stale_cookie: bool) -> None:
        super().__init__("login required")
        self.stale_cookie = stale_cookie


class CsrfRefused(Exception):
    """A POST without the right CSRF token: 403."""


class NotAllowed(Exception):
    """The signed-in role may not do this (services/common/roles.py): 403, whatever was posted."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, as the pages need them."""

    user_id: int
    name: str
    role: Role
    session: str
    csrf: str

    @property
    def actor(self) -> str:
        """Who did it, in the services' records."""
        return f"user:{self.user_id}"

    def can(self, action: Action | str) -> bool:
        return allowed(self.role, Action(action))

    @property
    def sees_private(self) -> bool:
        """Guests' full names, phones and money: not for viewers (the cleaning team)."""
        return self.can(Action.SEE_PRIVATE)


def csrf_for(key: bytes, session_token: str) -> str:
    return hmac.new(key, session_token.encode(), hashlib.sha256).hexdigest()


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def matches(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int, path: str = "/") -> None:
    production: bool = request.app.state.settings.production
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="lax", secure=production)


async def current_viewer(request: Request) -> Viewer:
    """The viewer of a signed-in page; LoginRequired when the cookie names no live session."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise LoginRequired(stale_cookie=False)
    try:
        principal = await request.app.state.clients.accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=token))
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.INVALID_ARGUMENT):
            raise LoginRequired(stale_cookie=True) from exc
        raise
    if principal.kind != accounts_pb2.CREDENTIAL_KIND_SESSION or principal.role not in ROLES:
        raise LoginRequired(stale_cookie=True)
    name = principal.name or principal.email
    return Viewer(
        user_id=principal.user_id,
        name=name,
        role=ROLES[principal.role],
        session=token,
        csrf=csrf_for(request.app.state.csrf_key, token),
    )


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


async def checked_form(viewer: ViewerDep, csrf_token: Annotated[str, Form()] = "") -> Viewer:
    """A signed-in POST whose form carries the session's CSRF token."""
    if not matches(csrf_token, viewer.csrf):
        raise CsrfRefused
    return viewer


FormViewerDep = Annotated[Viewer, Depends(checked_form)]


def may(action: Action) -> Callable[[Viewer], Awaitable[Viewer]]:
    """A page's dependency: the signed-in viewer when their role may do `action`; else 403."""

    async def check(viewer: ViewerDep) -> Viewer:
        if not viewer.can(action):
            raise NotAllowed
        return viewer

    return check


def may_post(action: Action) -> Callable[[Viewer], Awaitable[Viewer]]:
    """A form's dependency: the right CSRF token, then the role; a viewer's POST is 403 whatever it posts."""

    async def check(viewer: FormViewerDep) -> Viewer:
        if not viewer.can(action):
            raise NotAllowed
        return viewer

    return check
