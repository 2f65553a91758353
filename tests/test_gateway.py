"""The gateway over real HTTP: health, readiness, metrics, error envelope, ids, docs."""

import httpx

from devtools.devstack import SERVICES
from tests.stack import Stack, admin_token


def test_healthz(stack: Stack) -> None:
    reply = httpx.get(f"{stack.gateway_url}/api/v1/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


def test_readyz_reports_every_dependency(stack: Stack) -> None:
    """Each check's status for anyone; latency (and errors) for an admin."""
    reply = httpx.get(f"{stack.gateway_url}/api/v1/readyz", headers={"Authorization": f"Bearer {admin_token()}"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"postgres", "redis", *SERVICES}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["latency_ms"], float) and check["latency_ms"] >= 0
    public = httpx.get(f"{stack.gateway_url}/api/v1/readyz")
    assert public.status_code == 200
    assert public.json() == {"status": "ok", "checks": dict.fromkeys(["postgres", "redis", *SERVICES], "ok")}


def test_metrics_exposes_http_latency(stack: Stack) -> None:
    httpx.get(f"{stack.gateway_url}/api/v1/healthz")
    reply = httpx.get(f"{stack.gateway_url}/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    assert 'http_server_request_duration_seconds_count{method="GET",route="/api/v1/healthz",status="200"}' in reply.text


def test_unknown_route_gets_the_error_envelope(stack: Stack) -> None:
    reply = httpx.get(f"{stack.gateway_url}/api/v1/nope")
    assert reply.status_code == 404
    assert reply.json() == {"error": {"code": "not_found", "message": "Not Found"}}
    reply = httpx.delete(f"{stack.gateway_url}/api/v1/healthz")
    assert reply.status_code == 405
    assert reply.json()["error"]["code"] == "method_not_allowed"


def test_request_and_trace_ids_in_headers(stack: Stack) -> None:
    mine = httpx.get(f"{stack.gateway_url}/api/v1/healthz", headers={"X-Request-Id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    assert len(mine.headers["x-trace-id"]) == 32
    generated = httpx.get(f"{stack.gateway_url}/api/v1/healthz", headers={"X-Request-Id": "<script>"})
    assert generated.headers["x-request-id"] != "<script>" and len(generated.headers["x-request-id"]) == 32


def test_openapi_docs(stack: Stack) -> None:
    assert httpx.get(f"{stack.gateway_url}/docs").status_code == 200
    spec = httpx.get(f"{stack.gateway_url}/openapi.json").json()
    assert {"/api/v1/healthz", "/api/v1/readyz"} <= set(spec["paths"])
