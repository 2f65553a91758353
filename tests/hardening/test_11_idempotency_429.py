"""Idempotency caches a 429 (issue 14, item 11).

The response to a request with an Idempotency-Key was kept for 48 h whatever it was but a
5xx: a hold refused with 429 by the rate limit, retried correctly (same key, after the
window), got the kept 429 back for two days. Now only final answers are kept: 2xx, and 4xx
about the request itself; 408, 409, 425, 429 and every 5xx are not, and the retry runs.
"""

import itertools
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import grpc
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cabanas.v1 import booking_pb2_grpc
from devtools.devstack import spawn, stop_children, wait_ready
from devtools.embedded import free_port
from gateway.idempotency import IdempotencyMiddleware
from services.booking.tests.helpers import make_cabin
from services.common.redis_client import create_redis
from tests.stack import Infra, Stack
from tests.test_booking_api import body

WINDOW_SECONDS = 2


@pytest.fixture(scope="module")
def limited(stack: Stack) -> Iterator[str]:
    """A gateway of its own allowing one request per client and route every WINDOW_SECONDS."""
    port = free_port()
    limits = {"RATE_LIMIT_REQUESTS": "1", "RATE_LIMIT_WINDOW_SECONDS": str(WINDOW_SECONDS)}
    proc = spawn("gateway", stack.env | {"GATEWAY_PORT": str(port), **limits})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{url}/api/v1/healthz", proc)
        yield url
    finally:
        stop_children({"gateway": proc})


def test_a_rate_limited_hold_retried_after_the_window_is_held(stack: Stack, limited: str) -> None:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(channel))
    url, key = f"{limited}/api/v1/reservations", {"Idempotency-Key": uuid.uuid4().hex}
    assert httpx.post(url, json=body(cabin.id, 10, 12)).status_code == 201  # this client's budget, spent
    hold = body(cabin.id, 20, 22)
    refused = httpx.post(url, json=hold, headers=key)
    assert refused.status_code == 429
    time.sleep(int(refused.headers["Retry-After"]))
    retried = httpx.post(url, json=hold, headers=key)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    time.sleep(WINDOW_SECONDS)
    replayed = httpx.post(url, json=hold, headers=key)  # from now on the hold is what this key answers
    assert replayed.status_code == 201 and replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == retried.json()


@pytest.fixture
async def answering(infra: Infra) -> AsyncIterator[tuple[httpx.AsyncClient, list[int]]]:
    """The idempotency middleware in front of a route answering the statuses it is given in
    turn (real Redis); what it was given, and a client."""
    statuses: list[int] = []
    served = itertools.count()

    async def reserve(_: Request) -> JSONResponse:
        return JSONResponse({"served": next(served)}, status_code=statuses.pop(0))

    app = Starlette(routes=[Route("/api/v1/reservations", reserve, methods=["POST"])])
    app.add_middleware(IdempotencyMiddleware)
    app.state.redis = create_redis(infra.redis.url)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client, statuses
    await app.state.redis.aclose()


@pytest.mark.parametrize("transient", [408, 409, 425, 429, 500, 503, 504])
async def test_an_answer_of_the_moment_is_not_kept(
    answering: tuple[httpx.AsyncClient, list[int]], transient: int
) -> None:
    client, statuses = answering
    statuses += [transient, 201]
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    first = await client.post("/api/v1/reservations", json={"n": 1}, headers=headers)
    second = await client.post("/api/v1/reservations", json={"n": 1}, headers=headers)
    third = await client.post("/api/v1/reservations", json={"n": 1}, headers=headers)
    assert (first.status_code, second.status_code, third.status_code) == (transient, 201, 201)
    assert "idempotent-replayed" not in second.headers and third.headers["idempotent-replayed"] == "true"
    assert third.json() == second.json() == {"served": 1}


@pytest.mark.parametrize("final", [200, 201, 400, 401, 403, 404, 422])
async def test_a_final_answer_is_kept(answering: tuple[httpx.AsyncClient, list[int]], final: int) -> None:
    client, statuses = answering
    statuses += [final]
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    first = await client.post("/api/v1/reservations", json={"n": 1}, headers=headers)
    again = await client.post("/api/v1/reservations", json={"n": 1}, headers=headers)
    assert first.status_code == again.status_code == final and again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
