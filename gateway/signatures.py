"""Webhook signatures, verified over exactly what the sender signed.

WhatsApp (`X-Hub-Signature-256: sha256=<hex>`): HMAC-SHA256 of the raw body
bytes with the app secret (re-serialised JSON would break on accents).

Mercado Pago (`x-signature: ts=<ts>,v1=<hex>`): HMAC-SHA256 with the webhook
secret over the manifest `id:<data.id of the query string>;request-id:<x-request-id>;ts:<ts>;`,
leaving out the parts whose value is absent. `ts` is milliseconds in current
deliveries and seconds in old ones; both magnitudes are accepted within the
tolerance. The id is tried as received and, only when alphanumeric, lower-cased
(Mercado Pago's documents disagree on the casing; see SPECS §2.2).
"""

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)


def mercadopago_manifest(data_id: str | None, request_id: str | None, ts: str) -> str:
    parts = []
    if data_id:
        parts.append(f"id:{data_id};")
    if request_id:
        parts.append(f"request-id:{request_id};")
    parts.append(f"ts:{ts};")
    return "".join(parts)


def mercadopago_signature(secret: str, data_id: str | None, request_id: str | None, ts: str) -> str:
    """The `x-signature` header value Mercado Pago would send."""
    manifest = mercadopago_manifest(data_id, request_id, ts)
    v1 = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    return f"ts={ts},v1={v1}"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # why not, or which id form matched


def _parse(header: str) -> dict[str, str]:
    fields = {}
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def _seconds(ts: str) -> float | None:
    if not (ts.isascii() and ts.isdigit()) or len(ts) > 16:  # int() would take "٣" and choke on "²"
        return None
    value = int(ts)
    return value / 1000 if value >= 10**11 else float(value)  # milliseconds vs seconds


def verify_mercadopago(
    secret: str,
    header: str | None,
    request_id: str | None,
    data_id: str | None,
    *,
    tolerance_seconds: float = 300,
    now: float | None = None,
) -> Verdict:
    if not header:
        return Verdict(False, "missing x-signature")
    fields = _parse(header)
    ts, v1 = fields.get("ts", ""), fields.get("v1", "")
    if not ts or not v1:
        return Verdict(False, "malformed x-signature")
    sent_at = _seconds(ts)
    if sent_at is None:
        return Verdict(False, "malformed ts")
    if abs((now if now is not None else time.time()) - sent_at) > tolerance_seconds:
        return Verdict(False, "stale or future ts")
    if ";" in (data_id or "") or ";" in (request_id or ""):  # would move the manifest's field boundaries
        return Verdict(False, "malformed id")
    candidates = [("as received", data_id)]
    if data_id and data_id.isalnum() and data_id.lower() != data_id:
        candidates.append(("lower-cased", data_id.lower()))
    for form, candidate in candidates:
        expected = mercadopago_signature(secret, candidate, request_id, ts).split("v1=", 1)[1]
        if hmac.compare_digest(expected.encode(), v1.lower().encode()):  # bytes: a str must be ASCII
            return Verdict(True, f"id {form}")
    return Verdict(False, "signature mismatch")


def whatsapp_signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` header value Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_whatsapp(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(whatsapp_signature(secret, body).encode(), header.strip().lower().encode())
