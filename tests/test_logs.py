"""JSON logs carry the trace and span ids of the current span."""

import json
import logging

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from services.common.logs import JsonFormatter


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
