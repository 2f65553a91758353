"""JSON logs, one line per event, carrying the current trace and span ids.

Guests' phone numbers, emails and WhatsApp message ids (base64 of the guest's
number) are masked and credentials in query strings (`?token=…`) are replaced,
whoever wrote the line (our code, uvicorn's access log, a library's exception):
logs are read by more people than guest data is.
"""

import json
import logging
import re
import sys
from datetime import UTC, datetime

from opentelemetry import trace

# Attributes every LogRecord has; anything else came from `extra=` and is logged.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "color_message"}


_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# 11 to 15 digits, optionally after "+": E.164 numbers with their country code (WhatsApp ids
# are 549…); the last 4 stay. Ten-digit ids (Mercado Pago payments) stay readable.
_PHONE = re.compile(r"(?<![\w.])\+?\d{7,11}(\d{4})(?![\w])")
# A WhatsApp message id: "wamid." and base64; its last 4 characters stay, enough to tell two apart.
_WAMID = re.compile(r"wamid\.([\w+/=.-]+)")
_CREDENTIAL = re.compile(r"(?i)\b((?:manage_|access_)?token|secret|password|signature|hub\.verify_token)=[^&\s\"']+")


def redact(text: str) -> str:
    """`text` with emails, phone numbers, WhatsApp message ids and query-string credentials masked."""
    text = _CREDENTIAL.sub(r"\1=[redacted]", text)
    text = _WAMID.sub(lambda m: f"wamid.***{m.group(1)[-4:]}", text)
    text = _EMAIL.sub(r"\1***@\2", text)
    return _PHONE.sub(r"***\1", text)


def _redacted(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            event["trace_id"] = trace.format_trace_id(ctx.trace_id)
            event["span_id"] = trace.format_span_id(ctx.span_id)
        event.update({k: _redacted(v) for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            event["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False, default=str)


def setup_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
