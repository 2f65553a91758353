"""Shared FastAPI dependencies, as Annotated aliases."""

from typing import Annotated

from fastapi import Depends, Request

from gateway.clients import ServiceClients
from services.common.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _clients(request: Request) -> ServiceClients:
    return request.app.state.clients  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]
ClientsDep = Annotated[ServiceClients, Depends(_clients)]
