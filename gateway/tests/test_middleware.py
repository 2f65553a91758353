"""The guard and the request context in process (no stack: Redis is down, so the rate limit lets
requests through): body caps as the bytes arrive, the admin token before the body, bounded
metric labels; and the public readiness report shared by concurrent askers.
The same over real HTTP: tests/hardening/test_07_*, test_08_*, test_12_*."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from devtools.embedded import free_port
from gateway.app import create_app
from gateway.routes import health
from services.common.settings import Settings

MiB = 1024 * 1024


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment="development",
        jwt_secret="unit-test-jwt-secret-0123456789abcdef-0123456789",
        database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/none",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
    )
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield http


class Body:
    """A streamed body (no Content-Length) that records how much of it was read."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.read = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.read < self.total:
            size = min(self.chunk, self.total - self.read)
            self.read += size
            yield b" " * size


async def test_a_streamed_body_is_refused_once_past_the_cap(client: httpx.AsyncClient) -> None:
    body = Body(4 * MiB)
    reply = await client.post("/api/v1/reservations", content=body)
    assert reply.status_code == 413 and reply.json()["error"]["code"] == "payload_too_large"
    assert body.read <= MiB + 64 * 1024  # the rest was never asked for
    declared = await client.post("/api/v1/reservations", content=b"{}", headers={"Content-Length": str(MiB + 1)})
    assert declared.status_code == 413


async def test_the_admin_token_is_checked_before_the_body(client: httpx.AsyncClient) -> None:
    body = Body(16 * MiB)
    reply = await client.post("/api/v1/admin/audio/transcribe", content=body)
    assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer"
    assert body.read <= 64 * 1024  # at most the chunk the transport had in hand


def _series(method: str, route: str) -> float | None:
    return REGISTRY.get_sample_value(
        "http_server_request_duration_seconds_count", {"method": method, "route": route, "status": "404"}
    )


async def test_invented_methods_and_paths_collapse_to_one_label_each(client: httpx.AsyncClient) -> None:
    before = _series("other", "unmatched") or 0
    for n in range(3):
        assert (await client.request(f"INVENTED{n}", f"/random/{n}")).status_code == 404
    assert _series("other", "unmatched") == before + 3
    assert all(_series(f"INVENTED{n}", f"/random/{n}") is None for n in range(3))


async def test_concurrent_readiness_askers_share_one_round() -> None:
    rounds = 0

    async def check() -> dict[str, object]:
        nonlocal rounds
        rounds += 1
        await asyncio.sleep(0.05)
        return {"round": rounds}

    latest = health._Latest()
    assert await asyncio.gather(*(latest.get(check) for _ in range(20))) == [{"round": 1}] * 20
    assert await latest.get(check) == {"round": 1}  # still fresh
    await asyncio.sleep(health.READY_CACHE_SECONDS)
    assert await latest.get(check) == {"round": 2}
