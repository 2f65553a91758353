"""Bodies read before auth and limits (issue 14, item 7).

FastAPI reads a body before any dependency runs: an anonymous client made the gateway parse
and spool 17 MiB uploads on the admin transcribe route, and a body without Content-Length
(chunked) was read whole whatever its size. Now the gateway's guard (gateway/middleware.py)
applies the rate limit and checks the admin token before reading any of the body, and counts
the body as it arrives, answering 413 the moment it passes the route's cap.

The proof that nothing waits for the body: requests whose body is never finished (raw
sockets) still get their answer.
"""

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.devstack import spawn, stop_children, wait_ready
from devtools.embedded import free_port
from tests.stack import Stack, admin_token

MiB = 1024 * 1024
TRANSCRIBE = "/api/v1/admin/audio/transcribe"
MULTIPART = "multipart/form-data; boundary=cabanas"


def _status_of_unfinished(url: str, head: dict[str, str], start: bytes, path: str, timeout: float = 5) -> int:
    """The status the gateway answers to a POST whose body stops after `start` and is never
    finished; 0 when no answer comes within `timeout` (it is waiting for the rest)."""
    target = httpx.URL(url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {target.host}:{target.port}", *(f"{k}: {v}" for k, v in head.items())]
    with socket.create_connection((target.host, target.port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + start)
        try:
            status_line = sock.recv(4096).split(b"\r\n", 1)[0]  # b"HTTP/1.1 413 ..."
        except TimeoutError:
            return 0
    return int(status_line.split()[1])


def _chunk(size: int) -> bytes:
    return f"{size:x}\r\n".encode() + b" " * size + b"\r\n"


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body of `total` bytes with no Content-Length: httpx sends it chunked."""
    for offset in range(0, total, size):
        yield b" " * min(size, total - offset)


def _upload(total: int) -> Iterator[bytes]:
    """A multipart upload whose file field holds `total` bytes, chunked."""
    yield b'--cabanas\r\nContent-Disposition: form-data; name="file"; filename="a.ogg"\r\n\r\n'
    yield from _chunks(total)
    yield b"\r\n--cabanas--\r\n"


def _rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_a_chunked_body_over_the_cap_is_refused_as_it_arrives(stack: Stack) -> None:
    big = httpx.post(f"{stack.gateway_url}/api/v1/reservations", content=_chunks(MiB + 1), timeout=30)
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
    hook = httpx.post(f"{stack.gateway_url}/api/v1/webhooks/mercadopago", content=_chunks(64 * 1024 + 1), timeout=30)
    assert hook.status_code == 413 and hook.json()["error"]["code"] == "payload_too_large"
    admin = {"Authorization": f"Bearer {admin_token()}", "Content-Type": MULTIPART}
    audio = httpx.post(f"{stack.gateway_url}{TRANSCRIBE}", content=_upload(17 * MiB), headers=admin, timeout=60)
    assert audio.status_code == 413 and audio.json()["error"]["code"] == "payload_too_large"
    # Under the cap the body is read and the route answers as before.
    small = httpx.post(f"{stack.gateway_url}/api/v1/reservations", content=_chunks(1000), timeout=30)
    assert small.status_code == 422


def test_the_413_comes_before_the_rest_of_the_body(stack: Stack) -> None:
    chunked = {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}
    status = _status_of_unfinished(stack.gateway_url, chunked, _chunk(MiB + 1), "/api/v1/reservations")
    assert status == 413
    declared = {"Content-Length": str(MiB + 1), "Content-Type": "application/json"}
    status = _status_of_unfinished(stack.gateway_url, declared, b"{", "/api/v1/reservations")
    assert status == 413


def test_an_anonymous_upload_is_refused_before_its_body_is_read(stack: Stack) -> None:
    head = {"Content-Length": str(16 * MiB), "Content-Type": MULTIPART}
    assert _status_of_unfinished(stack.gateway_url, head, b"--cabanas\r\n", TRANSCRIBE) == 401
    forged = head | {"Authorization": f"Bearer {admin_token(role='guest')}"}
    assert _status_of_unfinished(stack.gateway_url, forged, b"--cabanas\r\n", TRANSCRIBE) == 403


def test_an_anonymous_16_mib_upload_costs_the_gateway_no_memory(stack: Stack) -> None:
    pid = stack.processes["gateway"].pid
    before = _rss(pid)
    started = time.monotonic()
    reply = httpx.post(
        f"{stack.gateway_url}{TRANSCRIBE}", content=_upload(16 * MiB), headers={"Content-Type": MULTIPART}, timeout=60
    )
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "unauthorized"
    assert time.monotonic() - started < 5
    assert _rss(pid) - before < 4 * MiB  # the body went by unread: nothing parsed, spooled or kept


@pytest.fixture(scope="module")
def limited(stack: Stack) -> Iterator[str]:
    """A gateway of its own allowing one request a minute per client and route."""
    port = free_port()
    proc = spawn("gateway", stack.env | {"GATEWAY_PORT": str(port), "RATE_LIMIT_REQUESTS": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{url}/api/v1/healthz", proc)
        yield url
    finally:
        stop_children({"gateway": proc})


def test_the_rate_limit_is_decided_before_the_body(limited: str) -> None:
    head = {"Content-Length": "1000", "Content-Type": "application/json"}
    assert httpx.post(f"{limited}/api/v1/reservations", json={}).status_code == 422  # the budget, spent
    assert _status_of_unfinished(limited, head, b"{", "/api/v1/reservations") == 429
    admin = {"Authorization": f"Bearer {admin_token()}", "Content-Type": MULTIPART}
    assert httpx.post(f"{limited}{TRANSCRIBE}", content=b"--cabanas--\r\n", headers=admin).status_code == 422
    upload = admin | {"Content-Length": str(16 * MiB)}
    assert _status_of_unfinished(limited, upload, b"--cabanas\r\n", TRANSCRIBE) == 429
