"""Liveness and readiness."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2

from cabanas.v1 import calendar_pb2
from gateway.clients import SERVICES
from gateway.deps import ClientsDep
from gateway.routes import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["health"])

CHECK_TIMEOUT = 2.0
# Without these the system still books: booking's Redis locks are only an
# optimisation, the bot asks guests to type instead of sending audio, calendars
# catch up later. They degrade readiness instead of failing it.
NON_CRITICAL = {"redis", "speech", "calendar"}


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. Checks no dependency."""
    return {"status": "ok"}


async def _timed(check: Callable[[], Awaitable[None]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT)
        result: dict[str, Any] = {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none raised
        result = {"status": "fail", "error": f"{type(exc).__name__}: {exc}".strip()[:200]}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _grpc_check(clients: ClientsDep, name: str) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        reply = await clients.health[name].Check(health_pb2.HealthCheckRequest(service=""), timeout=CHECK_TIMEOUT)
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            raise RuntimeError(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    return check


FEED_WARNING_SECONDS = 20 * 60
FEED_DEGRADED_SECONDS = 30 * 60


async def _feed_ages(clients: ClientsDep) -> dict[str, Any]:
    """Age of the stalest iCal feed: a warning above 20 min, degraded above 30."""
    try:
        reply = await clients.calendar.ListFeeds(calendar_pb2.ListFeedsRequest(), timeout=CHECK_TIMEOUT)
    except grpc.aio.AioRpcError as exc:
        return {"state": "unknown", "error": exc.code().name}
    now = time.time()
    ages = [
        now - (f.last_success_at if f.HasField("last_success_at") else f.created_at).ToSeconds() for f in reply.feeds
    ]
    oldest = max(ages, default=0.0)
    state = "degraded" if oldest > FEED_DEGRADED_SECONDS else "warning" if oldest > FEED_WARNING_SECONDS else "ok"
    return {"state": state, "count": len(ages), "oldest_sync_age_seconds": round(oldest)}


@router.get("/readyz", responses={503: {"description": "Not ready: a critical check fails (the same body)"}})
async def readyz(request: Request, clients: ClientsDep) -> JSONResponse:
    """Readiness: Postgres, Redis and each service's gRPC health, with status and
    latency; 503 when a critical one fails."""
    state = request.app.state

    async def postgres() -> None:
        await state.pg_pool.fetchval("SELECT 1")

    async def redis() -> None:
        await state.redis.ping()

    checks = {"postgres": postgres, "redis": redis} | {name: _grpc_check(clients, name) for name in SERVICES}
    results = dict(zip(checks, await asyncio.gather(*(_timed(c) for c in checks.values())), strict=True))
    for name, result in results.items():
        result["critical"] = name not in NON_CRITICAL
    if results["calendar"]["status"] == "ok":
        results["calendar"]["feeds"] = await _feed_ages(clients)
    failed = [name for name, r in results.items() if r["status"] != "ok"]
    critical = [name for name in failed if results[name]["critical"]]
    stale = results["calendar"].get("feeds", {}).get("state") == "degraded"
    status = "fail" if critical else ("degraded" if failed or stale else "ok")
    body = {"status": status, "failed": failed, "checks": results}
    return JSONResponse(body, status_code=503 if critical else 200)
