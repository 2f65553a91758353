"""Readiness names what failed: 503 for a critical service, degraded for an optional one (the
details for an admin, each check's status for anyone)."""

import signal
import time

import httpx

from devtools.devstack import stop_children
from gateway.routes.health import READY_CACHE_SECONDS
from tests.stack import Infra, admin_token, stack_env, start_stack
from testsupport.otlp import OtlpReceiver


def _stop(process: object) -> None:
    process.send_signal(signal.SIGTERM)  # type: ignore[attr-defined]
    process.wait(10)  # type: ignore[attr-defined]


def _public(url: str) -> tuple[int, str, set[str]]:
    """What anyone is told, once the last report aged out: status code, status, failing checks."""
    time.sleep(READY_CACHE_SECONDS)
    reply = httpx.get(url, timeout=10)
    body = reply.json()
    return reply.status_code, body["status"], {name for name, status in body["checks"].items() if status != "ok"}


def test_readyz_names_the_stopped_service(infra: Infra, otlp: OtlpReceiver) -> None:
    # Its own processes, so stopping them leaves the shared stack alone.
    own = start_stack(stack_env(infra, otlp))
    url = f"{own.gateway_url}/api/v1/readyz"
    admin = {"Authorization": f"Bearer {admin_token()}"}  # the details, checked afresh
    try:
        assert httpx.get(url, timeout=10).status_code == 200

        _stop(own.processes["speech"])
        reply = httpx.get(url, headers=admin, timeout=10)
        assert reply.status_code == 200
        body = reply.json()
        assert body["status"] == "degraded" and body["failed"] == ["speech"]
        assert body["checks"]["speech"]["critical"] is False
        assert _public(url) == (200, "degraded", {"speech"})

        # Without accounts guests still book; the team's logins and API tokens wait.
        _stop(own.processes["accounts"])
        reply = httpx.get(url, headers=admin, timeout=10)
        assert reply.status_code == 200
        assert sorted(reply.json()["failed"]) == ["accounts", "speech"]
        assert _public(url) == (200, "degraded", {"accounts", "speech"})
        token = {"Authorization": "Bearer cab_" + "x" * 40}
        assert httpx.get(f"{own.gateway_url}/api/v1/admin/reservations", headers=token, timeout=10).status_code == 503
        assert httpx.get(f"{own.gateway_url}/api/v1/admin/reservations", headers=admin, timeout=10).status_code == 200

        _stop(own.processes["booking"])
        reply = httpx.get(url, headers=admin, timeout=10)
        assert reply.status_code == 503
        body = reply.json()
        assert body["status"] == "fail"
        assert sorted(body["failed"]) == ["accounts", "booking", "speech"]
        assert body["checks"]["booking"]["status"] == "fail" and body["checks"]["booking"]["critical"] is True
        assert body["checks"]["postgres"]["status"] == "ok"
        assert _public(url) == (503, "fail", {"accounts", "booking", "speech"})
        down = httpx.get(f"{own.gateway_url}/api/v1/accommodations", timeout=10)  # a call to the stopped service
        assert down.status_code == 503 and down.json()["error"]["code"] == "unavailable"
    finally:
        stop_children(own.processes)
