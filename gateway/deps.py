"""Shared FastAPI dependencies, as Annotated aliases."""

from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request

from services.common.settings import Settings
from services.common.web import ServiceClients


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _clients(request: Request) -> ServiceClients:
    clients: ServiceClients = request.app.state.clients
    return clients


SettingsDep = Annotated[Settings, Depends(_settings)]
ClientsDep = Annotated[ServiceClients, Depends(_clients)]

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _claims(request: Request, settings: Settings) -> dict[str, Any] | None:
    """The admin claims of a valid bearer token; None when there is no Authorization header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "Expected 'Authorization: Bearer <token>'.", headers=_CHALLENGE)
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


def _optional_admin(request: Request, settings: SettingsDep) -> dict[str, Any] | None:
    return _claims(request, settings)


def require_admin(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Admin routes depend on it; gateway/middleware.py also calls it before their body is read."""
    claims = _claims(request, settings)
    if claims is None:
        raise HTTPException(401, "This needs an admin token.", headers=_CHALLENGE)
    return claims


OptionalAdminDep = Annotated[dict[str, Any] | None, Depends(_optional_admin)]
AdminDep = Annotated[dict[str, Any], Depends(require_admin)]
