"""The gateway application: settings, middleware, routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Response
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.errors import install_error_handlers
from gateway.middleware import install_middleware
from gateway.ratelimit import RateLimiter
from gateway.routes import (
    accommodations,
    admin,
    admin_me,
    admin_reservations,
    health,
    ical,
    payment_pages,
    reservations,
    webhooks,
)
from services.common.grpc_clients import identify
from services.common.redis_client import create_redis
from services.common.settings import Settings, get_settings
from services.common.telemetry import redact_urls
from services.common.web import ServiceClients


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_startup("gateway")  # whoever builds it: `python -m gateway`, devtools.gateway, a test
    identify("gateway", settings.service_token_secret)  # the services check who calls them

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.clients = ServiceClients(settings)
        # The gateway owns no table: this pool only answers readiness checks.
        app.state.pg_pool = await asyncpg.create_pool(settings.database_url, min_size=0, max_size=2)
        app.state.redis = create_redis(settings.redis_url)
        app.state.limiter = RateLimiter(
            app.state.redis,
            settings.rate_limit_requests,
            settings.rate_limit_window_seconds,
            settings.rate_limit_webhook_requests,
            settings.trusted_proxies,
        )
        yield
        await app.state.clients.close()
        await app.state.pg_pool.close()
        await app.state.redis.aclose()

    app = FastAPI(
        title="Cabañas gateway",
        version="1.0.0",
        description="Booking automation for cabin rentals: REST API and webhooks.",
        lifespan=lifespan,
    )
    install_middleware(app, production=settings.production)  # ids, limits and the admin token before the body
    install_error_handlers(app)
    routers = (
        health.router,
        accommodations.router,
        reservations.router,
        ical.router,
        admin.router,
        admin_reservations.router,
        admin_me.router,
        webhooks.router,
        payment_pages.router,
    )
    for router in routers:
        app.include_router(router)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    FastAPIInstrumentor.instrument_app(
        app,
        excluded_urls="/metrics",
        server_request_hook=lambda span, _scope: redact_urls(span),
        exclude_spans=["receive", "send"],  # a span per ASGI message: costs per request, tells nothing
    )
    return app
