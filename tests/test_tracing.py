"""One request or webhook through the gateway is one trace across the processes
it reaches (database spans included, asynchronous processing too), as received
by a real OTLP endpoint."""

import time
from unittest import mock

import grpc
import httpx
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cabanas.v1 import booking_pb2_grpc
from services.booking.tests.helpers import make_cabin
from services.common.telemetry import continued
from tests.stack import Infra, Stack, admin_token
from tests.test_booking_api import body
from tests.test_messaging import envelope, phone, post, text, wait_for
from testsupport.otlp import OtlpReceiver, ReceivedSpan


def test_gateway_and_service_spans_share_a_trace(stack: Stack, otlp: OtlpReceiver) -> None:
    # An admin's readiness is checked afresh (anyone else's may come from the last report).
    reply = httpx.get(f"{stack.gateway_url}/api/v1/readyz", headers={"Authorization": f"Bearer {admin_token()}"})
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


def _trace(
    otlp: OtlpReceiver, trace_id: str, services: set[str], what: str, names: frozenset[tuple[str, str]] = frozenset()
) -> list[ReceivedSpan]:
    """The trace's spans once every one of `services` has a database span in it, every (service,
    span name) of `names` has arrived, and the gateway's request span, the trace's root, too (spans
    are exported as they end, in batches: the root ends last and may come a batch later)."""
    deadline = time.monotonic() + 20
    while True:
        spans = otlp.in_trace(trace_id)
        databases, arrived = {s.service for s in spans if s.database}, {(s.service, s.name) for s in spans}
        root = any(s.service == "gateway" and not s.parent_span_id for s in spans)
        if services <= databases and names <= arrived and root:
            return spans
        assert time.monotonic() < deadline, (what, sorted({(s.service, s.name) for s in spans}))
        time.sleep(0.2)


def test_a_hold_and_its_checkout_are_traces_across_the_services(stack: Stack, otlp: OtlpReceiver) -> None:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(channel))
    reply = httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 90, 92))
    assert reply.status_code == 201 and reply.json()["payment_url"]
    opened = httpx.get(reply.json()["payment_url"])  # the checkout is made on the link's first visit
    assert opened.status_code == 303
    for answer, services in ((reply, {"booking"}), (opened, {"booking", "payments"})):
        spans = _trace(otlp, answer.headers["x-trace-id"], services, answer.request.url.path)
        # The database calls hang under the service's own server span, not loose in the trace.
        ids = {s.span_id: s for s in spans}
        for db in (s for s in spans if s.database):
            assert db.parent_span_id in ids, db


def test_a_whatsapp_message_and_its_processing_share_the_webhook_trace(
    stack: Stack, infra: Infra, otlp: OtlpReceiver
) -> None:
    guest = phone()
    raw = envelope(text(guest, "hola, tienen cabaña libre del 10 al 12 de marzo para 2?"))
    posted = post(stack, raw)
    assert posted.status_code == 200
    wait_for(lambda: infra.graph.to(guest), what="the reply")
    # The worker's processing, after the acknowledgement, is in the webhook's trace.
    processing = frozenset({("messaging", "whatsapp.message")})
    _trace(otlp, posted.headers["x-trace-id"], {"messaging", "booking"}, "whatsapp", processing)


def test_stored_context_continues_as_parent_or_as_link() -> None:
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("test").start_as_current_span("webhook") as request:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        origin = request.get_span_context()
    with mock.patch.object(trace, "get_tracer", provider.get_tracer):
        with continued("processing", carrier["traceparent"]):
            pass
        with continued("consumer", carrier["traceparent"], link=True):
            pass
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert spans["processing"].context.trace_id == origin.trace_id
    assert spans["processing"].parent.span_id == origin.span_id
    assert spans["consumer"].context.trace_id != origin.trace_id and spans["consumer"].parent is None
    assert [link.context.span_id for link in spans["consumer"].links] == [origin.span_id]
