"""Request id, trace id and security headers on every response, a body size
cap before anything is read, and HTTP metrics by route."""

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from opentelemetry import trace
from prometheus_client import Histogram

from gateway.errors import error_response

log = logging.getLogger("gateway.access")
QUIET = ("/api/v1/healthz", "/api/v1/readyz", "/metrics")  # probes and scrapes: metrics only
HTTP_SECONDS = Histogram("http_server_request_duration_seconds", "HTTP request latency", ["method", "route", "status"])
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Bodies are small JSON except voice notes; routes check their own tighter limits too.
MAX_BODY_BYTES = 1024 * 1024
MAX_BODY_BYTES_BY_PATH = {"/api/v1/admin/audio/transcribe": 17 * 1024 * 1024}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# JSON answers never run scripts; the docs and the sandbox checkout page are HTML of their own.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def _too_large(request: Request) -> bool:
    limit = MAX_BODY_BYTES_BY_PATH.get(request.url.path, MAX_BODY_BYTES)
    length = request.headers.get("content-length", "0")
    return not length.isdigit() or int(length) > limit


def install_middleware(app: FastAPI, production: bool) -> None:
    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        request.state.request_id = request_id
        if _too_large(request):
            response: Response = error_response(413, "payload_too_large", "The request body is too large.")
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", API_CSP)
            response.headers.setdefault("Cache-Control", "no-store")  # guest data and tokens stay out of caches
        if production:
            response.headers["Strict-Transport-Security"] = HSTS
        response.headers["X-Request-Id"] = request_id
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            response.headers["X-Trace-Id"] = trace.format_trace_id(ctx.trace_id)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        seconds = time.perf_counter() - started
        HTTP_SECONDS.labels(request.method, route, str(response.status_code)).observe(seconds)
        if request.url.path not in QUIET:  # the path only: query strings may carry a phone or a token
            log.info(
                "%s %s %s",
                request.method,
                request.url.path,
                response.status_code,
                extra={
                    "route": route,
                    "status": response.status_code,
                    "ms": round(seconds * 1000, 1),
                    "request_id": request_id,
                },
            )
        return response
