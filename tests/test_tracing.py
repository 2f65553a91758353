"""One request through the gateway yields spans from both processes in one trace,
received by a real OTLP endpoint."""

import time

import httpx

from tests.otlp import OtlpReceiver
from tests.stack import Stack


def test_gateway_and_service_spans_share_a_trace(stack: Stack, otlp: OtlpReceiver) -> None:
    reply = httpx.get(f"{stack.gateway_url}/api/v1/readyz")
    assert reply.status_code == 200
    trace_id = reply.headers["x-trace-id"]

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        spans = otlp.in_trace(trace_id)
        services = {s.service for s in spans}
        if {"gateway", "booking", "messaging"} <= services:
            break
        time.sleep(0.2)
    assert {"gateway", "booking", "messaging", "payments", "speech", "calendar"} <= services, services

    gateway_span_ids = {s.span_id for s in spans if s.service == "gateway"}
    booking_server = [s for s in spans if s.service == "booking" and s.name == "/grpc.health.v1.Health/Check"]
    assert booking_server, spans
    # The service's span is a child of the gateway's client span: context crossed the wire.
    assert booking_server[0].parent_span_id in gateway_span_ids
