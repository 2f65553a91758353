"""Gateway protections over HTTP: rate limits (and who the client is), Idempotency-Key
replays, deadlines, body caps, security headers, and no admin route without a token."""

import asyncio
import base64
import json
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent import futures

import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2_grpc
from devtools.devstack import spawn, stop_children, wait_ready
from devtools.embedded import free_port
from gateway.app import create_app
from services.booking.tests.helpers import make_cabin
from services.common.grpc_clients import channel, service_config
from services.common.settings import Settings
from services.common.web import client_ip, trusted_networks
from tests.stack import JWT_SECRET, Stack, admin_token
from tests.test_booking_api import body

SLOW_SECONDS = 6.0  # longer than the gateway's 5 s deadline for booking


class _FakeBooking(grpc.GenericRpcHandler):
    """Booking that sleeps on ListAccommodations and answers UNAVAILABLE to the rest."""

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        def answer(request: bytes, context: grpc.ServicerContext) -> bytes:
            if details.method.endswith("/ListAccommodations"):
                time.sleep(SLOW_SECONDS)
                return b""
            context.abort(grpc.StatusCode.UNAVAILABLE, "down for the test")
            return b""

        return grpc.unary_unary_rpc_method_handler(answer)


@pytest.fixture(scope="module")
def fake_booking() -> Iterator[str]:
    server = grpc.server(futures.ThreadPoolExecutor(8))
    server.add_generic_rpc_handlers([_FakeBooking()])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(0)


def _gateway(stack: Stack, **env: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    proc = spawn("gateway", stack.env | {"GATEWAY_PORT": str(port), **env})
    url = f"http://127.0.0.1:{port}"
    wait_ready(f"{url}/api/v1/healthz", proc)
    return url, proc


@pytest.fixture(scope="module")
def limited(stack: Stack, fake_booking: str) -> Iterator[str]:
    """A gateway allowing 3 requests a minute per client and route; 127.0.0.1 is the trusted proxy."""
    url, proc = _gateway(
        stack,
        RATE_LIMIT_REQUESTS="3",
        RATE_LIMIT_WEBHOOK_REQUESTS="5",
        TRUSTED_PROXIES="127.0.0.1/32",
        BOOKING_ADDR=fake_booking,
    )
    yield url
    stop_children({"gateway": proc})


def test_a_client_over_its_budget_gets_429_with_retry_after(limited: str) -> None:
    me = {"X-Forwarded-For": "203.0.113.7"}
    codes = [httpx.get(f"{limited}/api/v1/reservations/AAAA", headers=me).status_code for _ in range(4)]
    assert codes[:3] == [503] * 3 and codes[3] == 429  # 503: the fake booking is down; counted all the same
    refused = httpx.get(f"{limited}/api/v1/reservations/BBBB", headers=me)  # one route, whatever the code
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another client behind the same proxy has its own budget; health is never limited.
    assert (
        httpx.get(f"{limited}/api/v1/reservations/AAAA", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 503
    )
    assert all(httpx.get(f"{limited}/api/v1/healthz", headers=me).status_code == 200 for _ in range(6))
    # Webhooks have their own, larger budget.
    hooks = [httpx.post(f"{limited}/api/v1/webhooks/whatsapp", headers=me, content=b"{}").status_code for _ in range(6)]
    assert 429 not in hooks[:5] and hooks[5] == 429
    metrics = httpx.get(f"{limited}/metrics").text
    assert re.search(r'gateway_rate_limited_total\{route="/api/v1/reservations/\{code\}"\} [2-9]', metrics)


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = trusted_networks("10.0.0.0/8, 127.0.0.1")
    assert client_ip("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"  # not a proxy: its header is ignored
    assert client_ip("10.1.2.3", "1.2.3.4", proxies) == "1.2.3.4"
    assert client_ip("10.1.2.3", "6.6.6.6, 1.2.3.4, 10.9.9.9", proxies) == "1.2.3.4"  # the client wrote 6.6.6.6
    assert client_ip("10.1.2.3", "", proxies) == "10.1.2.3"
    assert client_ip("127.0.0.1", "garbage, 1.2.3.4", proxies) == "1.2.3.4"


def test_without_redis_requests_go_through_and_are_counted(stack: Stack, fake_booking: str) -> None:
    url, proc = _gateway(
        stack, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", RATE_LIMIT_REQUESTS="1", BOOKING_ADDR=fake_booking
    )
    try:
        codes = [httpx.get(f"{url}/api/v1/reservations/AAAA").status_code for _ in range(3)]
        assert codes == [503] * 3
        assert re.search(r"gateway_rate_limit_errors_total [3-9]", httpx.get(f"{url}/metrics").text)
    finally:
        stop_children({"gateway": proc})


def test_a_deadline_is_504_and_an_unavailable_service_503(limited: str) -> None:
    started = time.monotonic()
    slow = httpx.get(f"{limited}/api/v1/accommodations", timeout=30)
    assert slow.status_code == 504 and slow.json()["error"]["code"] == "deadline_exceeded"
    assert 4.5 < time.monotonic() - started < SLOW_SECONDS
    down = httpx.get(f"{limited}/api/v1/reservations/CCCC", headers={"X-Forwarded-For": "198.51.100.1"})
    assert down.status_code == 503 and down.json()["error"]["code"] == "unavailable"


async def test_unavailable_is_retried_only_for_idempotent_methods(fake_booking: str) -> None:
    assert "PreReserve" not in service_config() and "GetReservation" in service_config()
    # The fake answers UNAVAILABLE at once: three attempts take at least the 0.1 s backoff.
    ch = channel(fake_booking)
    try:
        for method, retried in (("GetReservation", True), ("PreReserve", False)):
            call = ch.unary_unary(f"/cabanas.v1.BookingService/{method}")
            started = time.monotonic()
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await call(b"")
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
            assert (time.monotonic() - started >= 0.1) == retried, method
    finally:
        await ch.close()


def _post(stack: Stack, path: str, key: str, payload: object, **headers: str) -> httpx.Response:
    return httpx.post(f"{stack.gateway_url}{path}", json=payload, headers={"Idempotency-Key": key, **headers})


def _same(a: httpx.Response, b: httpx.Response) -> None:
    def kept(r: httpx.Response) -> list[tuple[str, str]]:
        return [
            (k, v)
            for k, v in r.headers.items()
            if k not in ("x-request-id", "x-trace-id", "date", "idempotent-replayed")
        ]

    assert (a.status_code, a.content, kept(a)) == (b.status_code, b.content, kept(b))


def test_idempotency_key_replays_the_first_response_byte_for_byte(stack: Stack) -> None:
    with grpc.insecure_channel(stack.addr("booking")) as ch:
        cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(ch))
    key, hold = uuid.uuid4().hex, body(cabin.id, 60, 62)
    first = _post(stack, "/api/v1/reservations", key, hold)
    again = _post(stack, "/api/v1/reservations", key, hold)
    assert first.status_code == 201 and first.json()["manage_token"]
    _same(first, again)  # the manage token too: the client that lost the first answer still gets it
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    other = _post(stack, "/api/v1/reservations", key, hold | {"guests": 3})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"

    code, token = first.json()["code"], first.json()["manage_token"]
    cancel_key = uuid.uuid4().hex
    cancelled = _post(stack, f"/api/v1/reservations/{code}/cancel", cancel_key, None, **{"X-Manage-Token": token})
    replayed = _post(stack, f"/api/v1/reservations/{code}/cancel", cancel_key, None, **{"X-Manage-Token": token})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    _same(cancelled, replayed)
    # The same key from someone without the token is another request, refused on its own.
    assert _post(stack, f"/api/v1/reservations/{code}/cancel", cancel_key, None).status_code == 401


async def test_racing_retries_with_one_key_hold_once(stack: Stack) -> None:
    with grpc.insecure_channel(stack.addr("booking")) as ch:
        cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(ch))
    key, hold = uuid.uuid4().hex, body(cabin.id, 70, 72)
    async with httpx.AsyncClient(timeout=30) as client:
        replies = await asyncio.gather(
            *(
                client.post(f"{stack.gateway_url}/api/v1/reservations", json=hold, headers={"Idempotency-Key": key})
                for _ in range(8)
            )
        )
        admin = {"Authorization": f"Bearer {admin_token()}"}
        params = {"accommodation_id": cabin.id}
        listed = (
            await client.get(f"{stack.gateway_url}/api/v1/admin/reservations", params=params, headers=admin)
        ).json()
    created = [r for r in replies if r.status_code == 201]
    assert {r.status_code for r in replies} <= {201, 409}, [r.text for r in replies]
    assert len({r.json()["code"] for r in created}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in created) == 1  # one ran, the rest replayed or waited
    for r in replies:
        if r.status_code == 409:
            assert r.json()["error"]["code"] == "request_in_progress"
    assert len(listed["items"]) == 1


def test_bad_idempotency_keys_are_refused(stack: Stack) -> None:
    reply = _post(stack, "/api/v1/reservations", "x" * 201, {})
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "validation_error"


def test_security_headers_and_body_cap(stack: Stack) -> None:
    reply = httpx.get(f"{stack.gateway_url}/api/v1/accommodations")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert reply.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert reply.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in reply.headers  # production only (behind TLS)
    big = httpx.post(f"{stack.gateway_url}/api/v1/reservations", content=b"{" + b" " * (1 << 20) + b"}")
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b"{"
        yield b" " * (1 << 20)
        yield b"}"

    headers = {"Idempotency-Key": uuid.uuid4().hex}
    big = httpx.post(f"{stack.gateway_url}/api/v1/reservations", content=chunked(), headers=headers)
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"


# Routes anyone may call; everything else must be admin-only. A new route that is
# neither listed here nor refused without a token fails this test.
PUBLIC = {
    "/api/v1/healthz",
    "/api/v1/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/api/v1/accommodations",
    "/api/v1/accommodations/{accommodation_id}",
    "/api/v1/accommodations/{accommodation_id}/availability",
    "/api/v1/reservations",
    "/api/v1/reservations/{code}",
    "/api/v1/reservations/{code}/cancel",
    "/api/v1/ical/export/{accommodation_id}.ics",
    "/api/v1/webhooks/mercadopago",
    "/api/v1/webhooks/whatsapp",
    "/pago/ok",  # where Mercado Pago sends the guest back: a short page, the reservation's state only
    "/pago/pendiente",
    "/pago/error",
    "/pagar/{link:path}",  # the hold's payment link: signed, redirects to its checkout
}


def test_every_other_route_needs_an_admin_token(stack: Stack) -> None:
    app = create_app(Settings(environment="development", jwt_secret=JWT_SECRET, mercadopago_access_token="TEST-0000"))
    routes = [(path, m) for path, methods in _routes(app.routes) for m in methods if m != "HEAD"]
    guarded = [(p, m) for p, m in routes if p not in PUBLIC]
    assert len(guarded) >= 10 and all(p.startswith("/api/v1/admin/") for p, _ in guarded), guarded
    expired = admin_token(expires_in=-60)
    guest = admin_token(role="guest")
    forged = admin_token(secret="not-the-secret-0123456789abcdef-0123456789")
    none_alg = ".".join(
        s.rstrip("=")
        for s in (
            _b64(json.dumps({"alg": "none", "typ": "JWT"})),
            _b64(json.dumps({"sub": "x", "role": "admin", "exp": 4102444800})),
            "",
        )
    )
    for path, method in guarded:
        url = stack.gateway_url + re.sub(r"\{[^}]+\}", "1", path)
        for token, status in ((None, 401), (expired, 401), (forged, 401), (none_alg, 401), (guest, 403)):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            reply = httpx.request(method, url, headers=headers, json={})
            assert reply.status_code == status, (method, path, token, reply.text)


def _routes(routes: list, prefix: str = "") -> Iterator[tuple[str, set[str]]]:  # type: ignore[type-arg]
    """Every (path, methods), through included routers."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + route.path, getattr(route, "methods", set())


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


async def test_calls_are_balanced_over_every_address_of_a_service() -> None:
    """What a headless Service gives a channel: several pods behind one name."""
    seen: list[int] = []

    class Counting(grpc.GenericRpcHandler):
        def __init__(self, n: int) -> None:
            self.n = n

        def service(self, _details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
            def answer(request: bytes, context: grpc.ServicerContext) -> bytes:
                seen.append(self.n)
                return b""

            return grpc.unary_unary_rpc_method_handler(answer)

    servers, ports = [], []
    for n in range(2):
        server = grpc.server(futures.ThreadPoolExecutor(2))
        server.add_generic_rpc_handlers([Counting(n)])
        ports.append(server.add_insecure_port("127.0.0.1:0"))
        server.start()
        servers.append(server)
    ch = channel("ipv4:" + ",".join(f"127.0.0.1:{p}" for p in ports))
    try:
        call = ch.unary_unary("/cabanas.v1.BookingService/GetReservation")
        for _ in range(20):
            await call(b"")
    finally:
        await ch.close()
        for server in servers:
            server.stop(0)
    assert sorted(set(seen)) == [0, 1] and min(seen.count(0), seen.count(1)) >= 5
