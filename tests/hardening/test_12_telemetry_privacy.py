"""Personal data and secrets in telemetry (issue 14, item 12).

Spans recorded full URLs: the iCal export's `?token=`, Meta's `hub.verify_token`, an admin's
`?phone=` (and a guest's phone in a path); WhatsApp message ids, base64 of the guest's
number, were logged as they are; the public readyz returned raw exception text and made 8
backend calls for every request, unthrottled. Now every query value and every phone in a URL
attribute is masked before a span can be exported (services/common/telemetry.py), wamids
are masked in the logs like phones (services/common/logs.py), and the public readyz says
each check's status only, from a report at most READY_CACHE_SECONDS old; the details are
for an admin token.

The spans are read from a real OTLP receiver that a gateway of this module's own exports to.
"""

import asyncio
import base64
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import grpc
import httpx
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from devtools.devstack import SERVICES, spawn, stop_children, wait_ready
from devtools.embedded import free_port
from services.common.logs import JsonFormatter, redact
from services.common.telemetry import RedactUrls
from tests.stack import WHATSAPP_VERIFY, Infra, Stack, admin_token
from tests.test_messaging import phone, post, wait_for
from testsupport.otlp import OtlpReceiver
from testsupport.whatsapp import envelope, text

HEALTH_CHECK = "/grpc.health.v1.Health/Check"


@dataclass(frozen=True)
class Recorded:
    name: str
    attributes: dict[str, str]  # values as text


class AttributeReceiver(OtlpReceiver):
    """The OTLP receiver that also keeps every span's name and attributes, by trace id."""

    def __init__(self) -> None:
        super().__init__()
        self._traces: dict[str, list[Recorded]] = {}

    def trace(self, trace_id: str) -> list[Recorded]:
        with self._lock:
            return list(self._traces.get(trace_id, []))

    def count(self, name: str) -> int:
        with self._lock:
            return sum(span.name == name for spans in self._traces.values() for span in spans)

    def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, _context: grpc.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    values = {a.key: a.value.string_value or str(a.value.int_value) for a in span.attributes}
                    with self._lock:
                        self._traces.setdefault(span.trace_id.hex(), []).append(Recorded(span.name, values))
        return super().Export(request, _context)


@pytest.fixture(scope="module")
def receiver() -> Iterator[AttributeReceiver]:
    own = AttributeReceiver()
    own.start()
    yield own
    own.stop()


@pytest.fixture(scope="module")
def gateway(stack: Stack, receiver: AttributeReceiver) -> Iterator[str]:
    """A gateway exporting to `receiver`; its speech address answers nothing (a failing check)."""
    port = free_port()
    env = stack.env | {
        "GATEWAY_PORT": str(port),
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.port}",
        "SPEECH_ADDR": f"127.0.0.1:{free_port()}",
    }
    proc = spawn("gateway", env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{url}/api/v1/healthz", proc)
        yield url
    finally:
        stop_children({"gateway": proc})


def _spans(receiver: AttributeReceiver, reply: httpx.Response) -> list[Recorded]:
    """Every span of the reply's trace, once its server span (the one with the URL) arrived."""

    def arrived() -> list[Recorded]:
        spans = receiver.trace(reply.headers["x-trace-id"])
        return spans if any("http.url" in s.attributes for s in spans) else []

    spans: list[Recorded] = wait_for(arrived, what=f"the spans of {reply.request.url.path}")
    return spans


def test_span_urls_carry_no_token_no_verify_token_no_phone(gateway: str, receiver: AttributeReceiver) -> None:
    ical_token, guest = f"ical-{uuid.uuid4().hex}", phone()
    admin = {"Authorization": f"Bearer {admin_token()}"}
    replies = [
        httpx.get(f"{gateway}/api/v1/ical/export/1.ics", params={"token": ical_token, "exclude_source": "airbnb"}),
        httpx.get(
            f"{gateway}/api/v1/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": WHATSAPP_VERIFY, "hub.challenge": "7"},
        ),
        httpx.get(f"{gateway}/api/v1/admin/reservations", params={"phone": f"+{guest}"}, headers=admin),
        httpx.post(f"{gateway}/api/v1/admin/conversations/{guest}/handoff", json={"active": False}, headers=admin),
    ]
    # The number never wrote to us: 404, and neither the answer nor a span names it.
    assert [r.status_code for r in replies][1:] == [200, 200, 404], [r.text for r in replies]
    spans = [span for reply in replies for span in _spans(receiver, reply)]
    for what, secret in {"iCal token": ical_token, "verify token": WHATSAPP_VERIFY, "phone": guest[-8:]}.items():
        leaks = [span for span in spans if secret in json.dumps(asdict(span))]
        assert not leaks, f"{what} in {leaks}"
    urls = [s.attributes["http.url"] for s in spans if "http.url" in s.attributes]
    assert any(u.endswith("/api/v1/ical/export/1.ics?token=REDACTED&exclude_source=REDACTED") for u in urls), urls
    assert any("?hub.mode=REDACTED&hub.verify_token=REDACTED&hub.challenge=REDACTED" in u for u in urls), urls
    assert any(u.endswith(f"/api/v1/admin/conversations/***{guest[-4:]}/handoff") for u in urls), urls


def test_every_url_attribute_is_redacted_whoever_sets_it() -> None:
    """A client span as the httpx instrumentation makes one (a calendar feed with its secret in the
    query), and the new semantic conventions' attributes."""
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(RedactUrls())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    attributes = {
        "url.full": "https://www.airbnb.com/calendar/ical/123.ics?s=0123456789abcdef&locale=es",
        "url.path": "/api/v1/admin/conversations/+5491155550123/handoff",
        "url.query": "phone=5491155550123&flag",
        "http.target": "/x?token=abc",
        "server.address": "www.airbnb.com",
    }
    provider.get_tracer("test").start_span("GET", attributes=attributes).end()
    (span,) = exporter.get_finished_spans()
    assert dict(span.attributes or {}) == {
        "url.full": "https://www.airbnb.com/calendar/ical/123.ics?s=REDACTED&locale=REDACTED",
        "url.path": "/api/v1/admin/conversations/***0123/handoff",
        "url.query": "phone=REDACTED&REDACTED",
        "http.target": "/x?token=REDACTED",
        "server.address": "www.airbnb.com",
    }


async def test_the_public_readyz_is_terse_and_throttled(gateway: str, receiver: AttributeReceiver) -> None:
    admin = {"Authorization": f"Bearer {admin_token()}"}
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        public = await client.get("/api/v1/readyz")
        assert public.status_code == 200
        assert public.json() == {
            "status": "degraded",
            "checks": {
                "postgres": "ok",
                "redis": "ok",
                "booking": "ok",
                "payments": "ok",
                "calendar": "ok",
                "messaging": "ok",
                "speech": "fail",
                "accounts": "ok",
            },
        }
        detailed = (await client.get("/api/v1/readyz", headers=admin)).json()
        assert detailed["failed"] == ["speech"] and detailed["checks"]["speech"]["error"]  # for admins only
        assert "latency_ms" in detailed["checks"]["postgres"] and "feeds" in detailed["checks"]["calendar"]

        await asyncio.sleep(1.5)  # the spans so far are exported
        before = receiver.count(HEALTH_CHECK)
        assert before >= 2 * len(
            SERVICES
        )  # the two rounds so far, seen: one for the public answer, one for the admin's
        replies = await asyncio.gather(*(client.get("/api/v1/readyz") for _ in range(40)))
        assert {r.status_code for r in replies} == {200}
    await asyncio.sleep(1.5)
    # One round of checks (every service's health) serves every concurrent request; two at most if
    # the report aged out during the burst. Unthrottled: 40 rounds.
    assert receiver.count(HEALTH_CHECK) - before <= 2 * len(SERVICES)


def test_the_logs_mask_whatsapp_message_ids(stack: Stack, infra: Infra) -> None:
    guest = phone()
    wamid = "wamid." + base64.b64encode(b"\x1c\x18\x0b" + guest.encode() + b"\x15\x02\x00\x12").decode()
    assert post(stack, envelope(text(guest, "hola", wamid=wamid))).status_code == 200
    wait_for(lambda: infra.graph.to(guest), what="the reply")
    time.sleep(1)  # let the processes write their last lines

    assert stack.logs is not None
    lines = "".join(p.read_text() for p in sorted(stack.logs.glob("*.log")))
    assert '"wamid": "wamid.***' in lines  # the reply's id was logged, masked
    assert wamid not in lines and not re.findall(r"wamid\.(?!\*\*\*)[\w+/=.-]+", lines)


def test_masked_wamids_keep_their_last_characters() -> None:
    assert redact("reply to wamid.HBgLNTQ5MTE1NTU1NTU1NRUCABIYFjNFQjBD sent") == "reply to wamid.***QjBD sent"
    record = logging.LogRecord("messaging", logging.INFO, __file__, 1, "sent", (), None)
    record.wamid = "wamid.HBgLNTQ5MTE1NTU1NTU1NQ=="
    event = json.loads(JsonFormatter("messaging").format(record))
    assert event["wamid"] == "wamid.***NQ=="
