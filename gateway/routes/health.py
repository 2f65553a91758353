"""Liveness and readiness."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2

from cabanas.v1 import calendar_pb2
from gateway import schemas
from gateway.deps import ClientsDep, OptionalAdminDep
from gateway.routes import API_PREFIX
from services.common.web import SERVICES

router = APIRouter(prefix=API_PREFIX, tags=["health"])

CHECK_TIMEOUT = 2.0
# Without these the system still books: booking's Redis locks are only an
# optimisation, the bot asks guests to type instead of sending audio, calendars
# catch up later, guests book without the team's accounts (only the console and
# the admin users routes need them). They degrade readiness instead of failing it.
NON_CRITICAL = {"redis", "speech", "calendar", "accounts"}


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


READY_CACHE_SECONDS = 1.0


class _Latest:
    """The latest readiness report, checked at most once per READY_CACHE_SECONDS however many
    ask: askers at the same moment share one round of checks."""

    def __init__(self) -> None:
        self._round: asyncio.Task[dict[str, Any]] | None = None
        self._started = 0.0

    async def get(self, check: Callable[[], Coroutine[Any, Any, dict[str, Any]]]) -> dict[str, Any]:
        stale = time.monotonic() - self._started >= READY_CACHE_SECONDS
        if self._round is None or (self._round.done() and stale):
            self._started = time.monotonic()
            self._round = asyncio.create_task(check())
        return await asyncio.shield(self._round)  # one asker leaving does not cancel the others' round


def _latest(request: Request) -> _Latest:
    """This app's; made on first use (the only state this router keeps)."""
    state = request.app.state
    if not hasattr(state, "readiness"):
        state.readiness = _Latest()
    latest: _Latest = state.readiness
    return latest


async def _report(request: Request, clients: ClientsDep) -> dict[str, Any]:
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
    return {"status": status, "failed": failed, "checks": results}


READY: schemas.Responses = {**schemas.errors(401), 503: {"description": "Not ready: a critical check fails"}}


@router.get("/readyz", responses=READY)
async def readyz(request: Request, clients: ClientsDep, admin: OptionalAdminDep) -> JSONResponse:
    """Readiness: Postgres, Redis and each service's gRPC health; 503 when a critical one fails.

    Anyone gets each check's status, from a report at most READY_CACHE_SECONDS old: probes
    and strangers cost the services one round of checks per interval, whatever their rate.
    An admin token gets a fresh report with each check's latency, error and criticality, the
    failed checks and the iCal feeds' ages."""
    if admin is None:
        report = await _latest(request).get(lambda: _report(request, clients))
        body = {"status": report["status"], "checks": {name: r["status"] for name, r in report["checks"].items()}}
    else:
        report = body = await _report(request, clients)
    return JSONResponse(body, status_code=503 if report["status"] == "fail" else 200)
