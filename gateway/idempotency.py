"""`Idempotency-Key` on the writing routes a client may retry (hold, cancel).

The first request with a key runs and its response (status, headers, body)
is kept in Redis for 48 h; a retry with the same key and the same request
gets exactly that response back, byte for byte, even the manage token shown
once. The same key with a different request is 422; while the first is still
running, 409. Only final answers are kept (2xx, and 4xx about the request
itself): a 5xx, a 429 or a 409 answers the moment, so a retry runs again. The key
is scoped to the route and the caller's credentials, so one client cannot
read another's response. With Redis down requests run normally: booking keeps
its own idempotency key in Postgres, so a retried hold still holds once.
"""

import base64
import hashlib
import json
import logging
import re
from typing import Any

import redis.asyncio as aioredis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import error_response

log = logging.getLogger(__name__)
ROUTES = re.compile(r"^/api/v1/reservations(/[^/]+/cancel)?$")
KEEP_SECONDS = 48 * 3600
RUNNING_SECONDS = 60  # a marker outlives no request: gateway deadlines are shorter
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_PER_REQUEST = {b"x-request-id", b"x-trace-id", b"date", b"server"}
# 4xx that depend on the moment, not the request: timed out, a conflict with the current state
# (dates taken, a cap reached), too early, too many requests.
_TRANSIENT = {408, 409, 425, 429}


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not ROUTES.match(scope["path"]):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key", b"").decode("latin-1")
        if not key:
            return await self.app(scope, receive, send)
        if not _KEY.match(key):
            return await error_response(422, "validation_error", "Idempotency-Key: 1-200 visible ASCII characters.")(
                scope, receive, send
            )
        body, more = b"", True
        while more:  # the body decides whether a retry is the same request (the guard caps it)
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        credentials = headers.get(b"authorization", b"") + b"|" + headers.get(b"x-manage-token", b"")
        slot = "idem:" + hashlib.sha256(scope["path"].encode() + b"|" + credentials + b"|" + key.encode()).hexdigest()
        fingerprint = hashlib.sha256(body).hexdigest()
        redis: aioredis.Redis = scope["app"].state.redis
        try:
            claimed = await redis.set(slot, json.dumps({"fingerprint": fingerprint}), nx=True, ex=RUNNING_SECONDS)
            stored = None if claimed else json.loads(await redis.get(slot) or "{}")
        except (aioredis.RedisError, OSError) as exc:
            log.warning("idempotency store unavailable, running the request: %s", exc)
            return await self.app(scope, _replay_body(body, receive), send)
        if stored is not None:
            return await _answer_retry(stored, fingerprint, scope, receive, send)
        await self._run_and_keep(scope, _replay_body(body, receive), send, redis, slot, fingerprint)

    async def _run_and_keep(
        self, scope: Scope, receive: Receive, send: Send, redis: aioredis.Redis, slot: str, fingerprint: str
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            await _keep(redis, slot, fingerprint, start, b"".join(chunks))


async def _keep(redis: aioredis.Redis, slot: str, fingerprint: str, start: Message, body: bytes) -> None:
    try:
        if not start or not final(start["status"]):
            await redis.delete(slot)  # the client's retry should run again
            return
        headers = [
            [base64.b64encode(k).decode(), base64.b64encode(v).decode()]
            for k, v in start.get("headers", [])
            if k.lower() not in _PER_REQUEST
        ]
        record = {"fingerprint": fingerprint, "status": start["status"], "headers": headers}
        await redis.set(slot, json.dumps(record | {"body": base64.b64encode(body).decode()}), ex=KEEP_SECONDS)
    except (aioredis.RedisError, OSError) as exc:
        log.warning("idempotent response not kept: %s", exc)


def final(status: int) -> bool:
    """Whether a retry of the same request would get this status again."""
    return 200 <= status < 300 or (400 <= status < 500 and status not in _TRANSIENT)


async def _answer_retry(stored: dict[str, Any], fingerprint: str, scope: Scope, receive: Receive, send: Send) -> None:
    if stored.get("fingerprint") != fingerprint:
        response = error_response(
            422, "idempotency_key_reused", "This Idempotency-Key was used with a different request."
        )
    elif "status" not in stored:
        response = error_response(409, "request_in_progress", "A request with this Idempotency-Key is still running.")
    else:
        headers = [(base64.b64decode(k), base64.b64decode(v)) for k, v in stored["headers"]]
        await send(
            {
                "type": "http.response.start",
                "status": stored["status"],
                "headers": [*headers, (b"idempotent-replayed", b"true")],
            }
        )
        await send({"type": "http.response.body", "body": base64.b64decode(stored["body"])})
        return
    await response(scope, receive, send)


def _replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the application, then the client's own
    messages (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
