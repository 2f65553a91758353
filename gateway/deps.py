"""Shared FastAPI dependencies, as Annotated aliases."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import grpc
import jwt
from fastapi import Depends, HTTPException, Request

from cabanas.v1 import accounts_pb2
from services.common.roles import Action, Role, allowed
from services.common.settings import Settings
from services.common.web import ServiceClients


# Dependencies are coroutines even where they await nothing: FastAPI runs a plain function in
# its thread pool, a thread hop per request for reading app.state.
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _clients(request: Request) -> ServiceClients:
    clients: ServiceClients = request.app.state.clients
    return clients


SettingsDep = Annotated[Settings, Depends(_settings)]
ClientsDep = Annotated[ServiceClients, Depends(_clients)]

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


API_TOKEN_PREFIX = "cab_"  # accounts' API tokens; anything else is read as the admin JWT
_ROLES = {
    accounts_pb2.ROLE_OWNER: Role.OWNER,
    accounts_pb2.ROLE_STAFF: Role.STAFF,
    accounts_pb2.ROLE_VIEWER: Role.VIEWER,
}
_PRINCIPAL = "admin_principal"  # request.state: the middleware's check is reused by the routes


@dataclass(frozen=True)
class Admin:
    """Who calls the admin API: the admin JWT (an owner) or a user's API token (their role now)."""

    actor: str  # for the records: "admin:<sub>" or "user:<id>"
    role: Role
    user_id: int = 0  # the API token's user; 0 for the admin JWT, which is nobody's


def _claims(token: str, settings: Settings) -> dict[str, Any]:
    if settings.jwt_secret is None:
        raise HTTPException(401, "The admin API is disabled: JWT_SECRET is not set.", headers=_CHALLENGE)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=["HS256"],  # pinned: never what the token's header asks for
            options={"require": ["exp", "sub", "role"]},
        )
    except jwt.ExpiredSignatureError:
        raise HTTPException(401, "The token has expired.", headers=_CHALLENGE) from None
    except jwt.InvalidTokenError:
        raise HTTPException(401, "The token is not valid.", headers=_CHALLENGE) from None
    if claims.get("role") != "admin":
        raise HTTPException(403, "This needs an admin token.")
    return claims


async def _api_token(token: str, clients: ServiceClients) -> Admin:
    try:
        principal = await clients.accounts.Authenticate(accounts_pb2.AuthenticateRequest(token=token))
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.INVALID_ARGUMENT):
            raise HTTPException(401, "The token is not valid.", headers=_CHALLENGE) from None
        raise
    if principal.kind != accounts_pb2.CREDENTIAL_KIND_API_TOKEN or principal.role not in _ROLES:
        raise HTTPException(401, "The token is not valid.", headers=_CHALLENGE)  # a console session is not an API token
    return Admin(actor=f"user:{principal.user_id}", role=_ROLES[principal.role], user_id=principal.user_id)


async def _admin(request: Request) -> Admin | None:
    """The caller of a valid bearer credential; None when there is no Authorization header."""
    if (known := getattr(request.state, _PRINCIPAL, None)) is not None:
        return known  # type: ignore[no-any-return]
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "Expected 'Authorization: Bearer <token>'.", headers=_CHALLENGE)
    if token.startswith(API_TOKEN_PREFIX):
        admin = await _api_token(token, request.app.state.clients)
    else:
        claims = _claims(token, request.app.state.settings)
        admin = Admin(actor=f"admin:{claims['sub']}", role=Role.OWNER)
    setattr(request.state, _PRINCIPAL, admin)
    return admin


async def require_admin(request: Request) -> Admin:
    """Admin routes depend on it; gateway/middleware.py also awaits it before their body is read."""
    admin = await _admin(request)
    if admin is None:
        raise HTTPException(401, "This needs an admin token.", headers=_CHALLENGE)
    return admin


def requires(action: Action) -> Callable[[Request], Awaitable[Admin]]:
    """A route's dependency: the caller, when their role may do `action` (services/common/roles.py); else 403."""

    async def check(request: Request) -> Admin:
        admin = await require_admin(request)
        if not allowed(admin.role, action):
            raise HTTPException(403, f"The {admin.role} role may not do this.")
        return admin

    return check


OptionalAdminDep = Annotated[Admin | None, Depends(_admin)]
AdminDep = Annotated[Admin, Depends(require_admin)]
