"""The console application: settings, middleware, pages, and what a failure looks like."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

import grpc
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.exceptions import HTTPException

from console.middleware import PageHeaders
from console.pages import auth, cabins, calendar, channels, emails, inbox, reservations, settings_page, team, today
from console.render import STATIC, page, templates
from console.security import SESSION_COOKIE, CsrfRefused, LoginRequired, NotAllowed
from console.settings import csrf_key
from services.common.grpc_clients import identify
from services.common.settings import Settings, get_settings
from services.common.telemetry import redact_urls
from services.common.web import ServiceClients, trusted_networks

# A service that does not answer, or not in time: "try again later", not an error page of ours.
UNAVAILABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_startup("console")
    identify("console", settings.service_token_secret)  # the services check who calls them

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.clients = ServiceClients(settings)
        yield
        await app.state.clients.close()

    app = FastAPI(title="Cabañas console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.csrf_key = csrf_key(settings)
    app.state.proxies = trusted_networks(settings.trusted_proxies)
    app.state.zone = ZoneInfo(settings.console_time_zone)
    app.state.templates = templates(app.state.zone)
    app.add_middleware(PageHeaders, production=settings.production)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for pages in (auth, today, calendar, reservations, inbox, cabins, channels, team, settings_page, emails):
        app.include_router(pages.router)
    _install_handlers(app)

    @app.get("/", include_in_schema=False)
    async def home() -> Response:
        return RedirectResponse("/hoy", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return PlainTextResponse("ok")

    FastAPIInstrumentor.instrument_app(app, server_request_hook=lambda span, _scope: redact_urls(span))
    return app


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(_: Request, exc: LoginRequired) -> Response:
        response = RedirectResponse("/login", status_code=303)
        if exc.stale_cookie:
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        return page(request, "error.html", status=403, problem="csrf")

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, _: NotAllowed) -> Response:
        return page(request, "error.html", status=403, problem="role")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return page(
            request, "error.html", status=exc.status_code, problem="not_found" if exc.status_code == 404 else ""
        )

    @app.exception_handler(grpc.aio.AioRpcError)
    async def rpc_error(request: Request, exc: grpc.aio.AioRpcError) -> Response:
        if exc.code() in UNAVAILABLE:
            return page(request, "error.html", status=503, problem="unavailable")
        raise exc  # a bug of ours or of a service: Starlette's 500, logged with its traceback
