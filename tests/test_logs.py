"""JSON logs: trace and span ids of the current span; no secret and no guest data."""

import json
import logging
import time

import grpc
import httpx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from cabanas.v1 import booking_pb2_grpc
from services.booking.tests.helpers import make_cabin
from services.common.logs import JsonFormatter, redact
from tests.stack import JWT_SECRET, MERCADOPAGO_SECRET, WHATSAPP_SECRET, WHATSAPP_VERIFY, Infra, Stack, admin_token
from tests.test_booking_api import body
from tests.test_messaging import envelope, post, text, wait_for


def _record(msg: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("cabanas.test", logging.INFO, __file__, 1, msg, (), None)
    record.__dict__.update(extra)
    return record


def test_log_line_is_json_with_trace_ids() -> None:
    formatter = JsonFormatter("booking")
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        line = formatter.format(_record("reserva creada ñandú", code="RES1"))
        ctx = span.get_span_context()
    event = json.loads(line)
    assert "\n" not in line
    assert event["msg"] == "reserva creada ñandú"
    assert event["service"] == "booking"
    assert event["code"] == "RES1"
    assert event["trace_id"] == trace.format_trace_id(ctx.trace_id)
    assert event["span_id"] == trace.format_span_id(ctx.span_id)


def test_log_line_without_span_has_no_trace_ids() -> None:
    event = json.loads(JsonFormatter("gateway").format(_record("hola")))
    assert "trace_id" not in event and event["level"] == "INFO"


def test_masking_keeps_what_an_operator_needs() -> None:
    line = redact(
        "to +5491155550123 (5491155550123), ana.perez@example.com.ar, GET /x.ics?token=abc123&exclude_source=airbnb,"
        " payment 1234567890, reservation CAB-7QK2, wamid.***QjBD"
    )
    assert line == (
        "to ***0123 (***0123), a***@example.com.ar, GET /x.ics?token=[redacted]&exclude_source=airbnb,"
        " payment 1234567890, reservation CAB-7QK2, wamid.***QjBD"
    )
    event = json.loads(JsonFormatter("messaging").format(_record("sent", phone="+5491155550123")))
    assert event["phone"] == "***0123"


def test_the_running_system_logs_no_secret_and_no_guest_data(stack: Stack, infra: Infra) -> None:
    """Traffic that carries every secret and a guest's phone and email, then a look at every
    line each process wrote since the session began."""
    guest = "5491187654321"
    email = "huesped.secreto@example.com"
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(channel))
    hold = body(cabin.id, 100, 102, guest_phone=f"+{guest}", guest_email=email)
    created = httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=hold)
    assert created.status_code == 201
    admin = {"Authorization": f"Bearer {admin_token()}"}
    assert httpx.get(f"{stack.gateway_url}/api/v1/admin/reservations", params={"phone": f"+{guest}"}, headers=admin)
    code, manage = created.json()["code"], created.json()["manage_token"]
    httpx.get(f"{stack.gateway_url}/api/v1/reservations/{code}", headers={"X-Manage-Token": manage})
    token = httpx.get(f"{stack.gateway_url}/api/v1/admin/accommodations/{cabin.id}/ical", headers=admin).json()
    httpx.get(token["export_url"])
    assert post(stack, envelope(text(guest, f"hola, mi mail es {email}, quiero reservar"))).status_code == 200
    wait_for(lambda: infra.graph.to(guest), what="the reply")
    httpx.get(
        f"{stack.gateway_url}/api/v1/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": WHATSAPP_VERIFY, "hub.challenge": "7"},
    )
    time.sleep(1)  # let the processes write their last lines

    assert stack.logs is not None
    lines = "".join(p.read_text() for p in sorted(stack.logs.glob("*.log")))
    assert f"GET /api/v1/reservations/{code} 200" in lines  # the traffic was logged
    secrets = {
        "JWT_SECRET": JWT_SECRET,
        "admin token": admin["Authorization"][7:],
        "manage token": manage,
        "iCal token": token["export_url"].rsplit("token=", 1)[1].split("&")[0],
        "Mercado Pago secret": MERCADOPAGO_SECRET,
        "WhatsApp app secret": WHATSAPP_SECRET,
        "WhatsApp verify token": WHATSAPP_VERIFY,
        "WhatsApp access token": stack.env["WHATSAPP_ACCESS_TOKEN"],
    }
    for what, value in secrets.items():
        assert value not in lines, f"{what} in the logs"
    for what, value in {"phone": guest, "email": email, "email user": "huesped.secreto"}.items():
        assert value not in lines, f"guest {what} in the logs"
