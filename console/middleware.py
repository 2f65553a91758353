"""Headers and the access log of every answer, as pure ASGI middleware.

The gateway's security headers, a strict CSP the pages satisfy (no script at all; styles and
images from /static only; forms post only to us), no caching of pages (they carry guest data),
a long cache for /static (its URLs carry the file's hash), HSTS in production, and a request id.
"""

import logging
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.web import HSTS, SECURITY_HEADERS

log = logging.getLogger("console.access")
CSP = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
STATIC_CACHE = "public, max-age=31536000, immutable"
QUIET = ("/healthz", "/readyz")


class PageHeaders:
    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app, self.production = app, production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, request_id, status = time.perf_counter(), uuid.uuid4().hex, 500

        async def with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                headers["Content-Security-Policy"] = CSP
                static = scope["path"].startswith("/static/") and status == 200
                headers["Cache-Control"] = STATIC_CACHE if static else "no-store"
                if self.production:
                    headers["Strict-Transport-Security"] = HSTS
                headers["X-Request-Id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        finally:
            if scope["path"] not in QUIET:  # the path only: no guest data travels in our URLs anyway
                ms = round((time.perf_counter() - started) * 1000, 1)
                log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={"status": status, "ms": ms, "request_id": request_id},
                )
