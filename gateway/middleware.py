"""Request id and trace id on every response, and HTTP metrics by route."""

import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from opentelemetry import trace
from prometheus_client import Histogram

HTTP_SECONDS = Histogram("http_server_request_duration_seconds", "HTTP request latency", ["method", "route", "status"])
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        request.state.request_id = request_id
        response = await call_next(request)
        response.headers["X-Request-Id"] = request_id
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            response.headers["X-Trace-Id"] = trace.format_trace_id(ctx.trace_id)
        route = request.scope.get("route")
        HTTP_SECONDS.labels(request.method, getattr(route, "path", "unmatched"), str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
