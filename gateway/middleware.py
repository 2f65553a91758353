"""What every request goes through around the routes, as pure ASGI middleware
(outermost first):

- `RequestContext`: request id, trace id and security headers on every
  response, HTTP metrics by route and the access log.
- `Guard`: before any of the body is read, the route is found, the rate limit
  applied and, on admin routes, the admin token checked, so an anonymous
  upload costs the gateway nothing; then the body is counted as it arrives and
  refused with 413 the moment it passes the route's cap, Content-Length or not.
- `IdempotencyMiddleware` (gateway/idempotency.py), which reads the body of the
  writes it replays: inside the guard, so that reading is capped too.
"""

import logging
import re
import time
import uuid

import grpc
from fastapi import FastAPI, HTTPException, Request
from fastapi.routing import RouteContext, iter_route_contexts
from opentelemetry import trace
from prometheus_client import Histogram
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.deps import require_admin
from gateway.errors import grpc_error_response, http_error_response
from gateway.idempotency import IdempotencyMiddleware
from gateway.routes import admin, webhooks
from services.common.web import HSTS, SECURITY_HEADERS

log = logging.getLogger("gateway.access")
QUIET = ("/api/v1/healthz", "/api/v1/readyz", "/metrics")  # probes and scrapes: metrics only
HTTP_SECONDS = Histogram("http_server_request_duration_seconds", "HTTP request latency", ["method", "route", "status"])
# Label values come from fixed sets: an invented method or a random path adds no series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED = "unmatched"
ROUTE = "gateway.route"  # scope key: the matched route's template, or UNMATCHED
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Bodies are small JSON except voice notes (the audio and its multipart framing); routes check their
# own tighter limits too.
MAX_BODY_BYTES = 1024 * 1024
MAX_BODY_BYTES_BY_ROUTE = {
    "/api/v1/admin/audio/transcribe": admin.MAX_AUDIO_BYTES + MAX_BODY_BYTES,
    "/api/v1/webhooks/mercadopago": webhooks.MAX_BODY_BYTES,
}
# JSON answers never run scripts; the docs and the sandbox checkout page are HTML of their own.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body passes its cap: FastAPI lets an HTTPException out of
    its body parsing, and what reads the body outside the routes lets it reach the guard."""

    def __init__(self) -> None:
        super().__init__(413, "The request body is too large.")


def install_middleware(app: FastAPI, production: bool) -> None:
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(Guard)
    app.add_middleware(RequestContext, production=production)  # added last: the outermost


def _route(scope: Scope) -> RouteContext | None:
    """The route the router will pick: the first full match, else the first partial one (a
    known path with another method, answered 405)."""
    partial = None
    for context in iter_route_contexts(scope["app"].routes):
        match, _ = context.matches(scope)
        if match == Match.FULL:
            return context
        if match == Match.PARTIAL and partial is None:
            partial = context
    return partial


class Guard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        route = _route(scope)
        template = route.path if route and route.path else UNMATCHED
        scope[ROUTE] = template
        request = Request(scope)
        try:
            await scope["app"].state.limiter.check(request, template)
            if route is not None and _needs_admin(route):
                await require_admin(request)
        except HTTPException as exc:
            return await http_error_response(exc)(scope, receive, send)
        except grpc.aio.AioRpcError as exc:  # accounts checking an API token: down is 503, not ours
            return await grpc_error_response(exc)(scope, receive, send)
        limit = MAX_BODY_BYTES_BY_ROUTE.get(template, MAX_BODY_BYTES)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return await http_error_response(BodyTooLarge())(scope, receive, send)
        await self._capped(scope, receive, send, limit)

    async def _capped(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:  # raised where no exception handler answers it (idempotency's read)
            if started:
                raise
            await http_error_response(exc)(scope, receive, send)


def _needs_admin(route: RouteContext) -> bool:
    return any(dependency.dependency is require_admin for dependency in getattr(route, "dependencies", ()))


class RequestContext:
    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app, self.production = app, production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        status = 500  # unless the application answers

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self._add_headers(MutableHeaders(scope=message), scope["path"], request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _record(scope, status, time.perf_counter() - started, request_id)

    def _add_headers(self, headers: MutableHeaders, path: str, request_id: str) -> None:
        headers.update(SECURITY_HEADERS)
        if path.startswith("/api/"):
            headers.setdefault("Content-Security-Policy", API_CSP)
            headers.setdefault("Cache-Control", "no-store")  # guest data and tokens stay out of caches
        if self.production:
            headers["Strict-Transport-Security"] = HSTS
        headers["X-Request-Id"] = request_id
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            headers["X-Trace-Id"] = trace.format_trace_id(ctx.trace_id)


def _record(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    method, path = scope["method"], scope["path"]
    route = scope.get(ROUTE, UNMATCHED)
    HTTP_SECONDS.labels(method if method in METHODS else OTHER_METHOD, route, str(status)).observe(seconds)
    if path not in QUIET:  # the path only: query strings may carry a phone or a token
        log.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={"route": route, "status": status, "ms": round(seconds * 1000, 1), "request_id": request_id},
        )
