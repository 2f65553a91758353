"""Templates: the Jinja2 environment with the console's filters, and a page renderer."""

import hashlib
from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from console import present

HERE = Path(__file__).parent
STATIC = HERE / "static"


@cache
def static_url(name: str) -> str:
    """/static/<name>?v=<hash of its bytes>: cached for a year, refetched when the file changes."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


def templates(zone: tzinfo) -> Jinja2Templates:
    """The pages' templates; times of day are written in `zone` (the owner's)."""

    def clock(value: datetime) -> str:
        return present.clock(value, zone)

    def ago(value: datetime) -> str:
        return present.ago(value, datetime.now(UTC))

    def when(value: datetime) -> str:
        return present.when(value, zone, datetime.now(UTC))

    built = Jinja2Templates(directory=HERE / "templates")
    built.env.filters.update(
        ago=ago,
        clock=clock,
        snippet=present.snippet,
        when=when,
        pesos=present.pesos,
        spoken_date=present.spoken_date,
        whatsapp_link=present.whatsapp_link,
    )
    built.env.globals["static_url"] = static_url
    return built


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    rendered: HTMLResponse = request.app.state.templates.TemplateResponse(request, name, context, status_code=status)
    return rendered
