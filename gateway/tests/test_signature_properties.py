"""Properties of webhook signature verification: a request signed as the sender
signs it is accepted, and changing any one byte of the body, any field of the
Mercado Pago manifest or any character of the signature header is refused (a
refusal, never an exception).

Not mutations, because the verifiers accept them on purpose: the hex digest in
another letter case, whitespace around the header, an absent id or request id
sent as empty, and a Mercado Pago alphanumeric id upper-cased (it is retried
lower-cased, see gateway/signatures.py).

Bounded and reproducible: derandomized, no example database, a few hundred
examples per property."""

import hashlib
import hmac

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gateway.signatures import (
    _parse,
    mercadopago_manifest,
    mercadopago_signature,
    verify_mercadopago,
    verify_whatsapp,
    whatsapp_signature,
)

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)
NOW = 1_742_505_638.683  # the documented vector's delivery time
TOLERANCE = 300

secrets = st.text(min_size=1, max_size=64)
bodies = st.binary(max_size=2048)
# Header values arrive decoded as latin-1: any of those characters can reach the verifiers.
header_chars = st.characters(codec="latin-1")
any_chars = st.one_of(header_chars, st.characters())


# ---- WhatsApp: X-Hub-Signature-256 over the raw body ----


@st.composite
def mutated_bodies(draw: st.DrawFn, body: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "append"] if body else ["insert"]))
    if kind == "flip":
        at = draw(st.integers(0, len(body) - 1))
        bit = draw(st.integers(1, 255))
        return body[:at] + bytes([body[at] ^ bit]) + body[at + 1 :]
    if kind == "insert":
        at = draw(st.integers(0, len(body)))
        return body[:at] + draw(st.binary(min_size=1, max_size=4)) + body[at:]
    if kind == "delete":
        at = draw(st.integers(0, len(body) - 1))
        return body[:at] + body[at + 1 :]
    if kind == "truncate":
        return body[: draw(st.integers(0, len(body) - 1))]
    return body + draw(st.binary(min_size=1, max_size=4))


@st.composite
def mutated_text(draw: st.DrawFn, text: str, chars: st.SearchStrategy[str] = any_chars) -> str:
    """One character substituted, inserted or deleted."""
    kind = draw(st.sampled_from(["substitute", "insert", "delete"] if text else ["insert"]))
    if kind == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(chars) + text[at:]
    at = draw(st.integers(0, len(text) - 1))
    if kind == "delete":
        return text[:at] + text[at + 1 :]
    return text[:at] + draw(chars.filter(lambda c: c != text[at])) + text[at + 1 :]


@SETTINGS
@given(secret=secrets, body=bodies)
def test_whatsapp_accepts_what_meta_signs(secret: str, body: bytes) -> None:
    header = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert whatsapp_signature(secret, body) == header
    assert verify_whatsapp(secret, body, header)
    assert verify_whatsapp(secret, body, f" {header.upper().replace('SHA256=', 'sha256=')} ")


@SETTINGS
@given(secret=secrets, data=st.data())
def test_whatsapp_refuses_a_mutated_body(secret: str, data: st.DataObject) -> None:
    body = data.draw(bodies)
    mutated = data.draw(mutated_bodies(body))
    assert mutated != body
    assert not verify_whatsapp(secret, mutated, whatsapp_signature(secret, body))


@SETTINGS
@given(secret=secrets, body=bodies, data=st.data())
def test_whatsapp_refuses_a_mutated_header(secret: str, body: bytes, data: st.DataObject) -> None:
    header = whatsapp_signature(secret, body)
    mutated = data.draw(mutated_text(header))
    assume(mutated.strip().lower() != header)  # letter case and surrounding blanks are not a change
    assert verify_whatsapp(secret, body, mutated) is False


@SETTINGS
@example(secret="s", other="o", body=b"{}", header="sha256=\xe9")  # was a TypeError (500)
@given(secret=secrets, other=secrets, body=bodies, header=st.one_of(st.none(), st.text(header_chars, max_size=80)))
def test_whatsapp_refuses_other_secrets_and_junk_headers(
    secret: str, other: str, body: bytes, header: str | None
) -> None:
    assume(other != secret)
    assert not verify_whatsapp(secret, body, whatsapp_signature(other, body))
    assert verify_whatsapp(secret, body, header) is (
        header is not None and header.strip().lower() == whatsapp_signature(secret, body)
    )


# ---- Mercado Pago: x-signature over id:<data.id>;request-id:<x-request-id>;ts:<ts>; ----

# ";" separates the manifest's fields: an id or request id holding one is refused (tested below).
data_ids = st.one_of(
    st.none(),
    st.integers(1, 10**12).map(str),  # payment ids
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=30).map(lambda s: "ORD" + s),  # orders
    st.text(st.characters(codec="ascii", exclude_characters=";"), min_size=1, max_size=40),
)
request_ids = st.one_of(
    st.none(),
    st.uuids().map(str),
    st.text(st.characters(codec="ascii", exclude_characters=";"), min_size=1, max_size=60),
)
# ts in milliseconds (current deliveries) or seconds (old ones), within the tolerance
timestamps = st.one_of(
    st.integers(int((NOW - TOLERANCE) * 1000) + 1, int((NOW + TOLERANCE) * 1000) - 1).map(str),
    st.integers(int(NOW - TOLERANCE) + 1, int(NOW + TOLERANCE) - 1).map(str),
)


def _mp(secret: str, header: str | None, request_id: str | None, data_id: str | None) -> bool:
    verdict = verify_mercadopago(secret, header, request_id, data_id, tolerance_seconds=TOLERANCE, now=NOW)
    assert isinstance(verdict.reason, str)  # at run time, whatever the annotations say
    assert verdict.reason
    return verdict.ok


def _same_id(signed: str | None, received: str | None) -> bool:
    """The verifier's documented leniency: absent == empty; an alphanumeric id retried lower-cased."""
    if not signed and not received:
        return True
    return received == signed or bool(received and received.isalnum() and received.lower() == signed)


@SETTINGS
@given(secret=secrets, data_id=data_ids, request_id=request_ids, ts=timestamps)
def test_mercadopago_accepts_what_mercadopago_signs(
    secret: str, data_id: str | None, request_id: str | None, ts: str
) -> None:
    manifest = mercadopago_manifest(data_id, request_id, ts)
    v1 = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    header = f"ts={ts},v1={v1}"
    assert mercadopago_signature(secret, data_id, request_id, ts) == header
    assert _mp(secret, header, request_id, data_id)
    assert _mp(secret, f" v1={v1.upper()} , ts={ts} ", request_id, data_id)  # order, blanks, case


@SETTINGS
@given(secret=secrets, data_id=data_ids, request_id=request_ids, ts=timestamps, data=st.data())
def test_mercadopago_refuses_a_mutated_id_or_request_id(
    secret: str, data_id: str | None, request_id: str | None, ts: str, data: st.DataObject
) -> None:
    header = mercadopago_signature(secret, data_id, request_id, ts)
    new_id, new_request_id = data_id, request_id
    field = data.draw(st.sampled_from(["id", "request-id", "both", "shift"]))
    if field in ("id", "both"):
        new_id = data.draw(st.one_of(st.none(), mutated_text(data_id or "", st.characters(codec="latin-1"))))
    if field in ("request-id", "both"):
        new_request_id = data.draw(st.one_of(st.none(), mutated_text(request_id or "", header_chars)))
    if field == "shift":  # the same manifest bytes, split differently between the fields
        assume(data_id and request_id)
        new_id, new_request_id = f"{data_id};request-id:{request_id}", None
    assume(not _same_id(data_id, new_id) or (new_request_id or None) != (request_id or None))
    assert not _mp(secret, header, new_request_id, new_id)


@SETTINGS
@given(secret=secrets, data_id=data_ids, request_id=request_ids, ts=timestamps, data=st.data())
def test_mercadopago_refuses_a_mutated_header(
    secret: str, data_id: str | None, request_id: str | None, ts: str, data: st.DataObject
) -> None:
    header = mercadopago_signature(secret, data_id, request_id, ts)
    mutated = data.draw(mutated_text(header, header_chars))
    fields, original = _parse(mutated), _parse(header)
    # A change that leaves ts and v1 as parsed (blanks, hex letter case, an extra field) is no change.
    assume(fields.get("ts") != original["ts"] or fields.get("v1", "").lower() != original["v1"])
    assert not _mp(secret, mutated, request_id, data_id)


@SETTINGS
@given(
    secret=secrets,
    other=secrets,
    data_id=data_ids,
    request_id=request_ids,
    ts=timestamps,
    skew=st.one_of(st.integers(TOLERANCE + 1, 10**6), st.integers(-(10**6), -TOLERANCE - 1)),
    junk=st.one_of(st.none(), st.text(header_chars, max_size=120)),
)
@example(  # were a ValueError and a TypeError (500s): int("²"), compare_digest of non-ASCII str
    secret="s", other="o", data_id="1", request_id="r", ts="1742505638", skew=TOLERANCE + 1, junk="ts=\xb2,v1=00"
)
@example(
    secret="s",
    other="o",
    data_id="1",
    request_id="r",
    ts="1742505638",
    skew=TOLERANCE + 1,
    junk="ts=1742505638,v1=\xe9",
)
def test_mercadopago_refuses_other_secrets_stale_timestamps_and_junk(
    secret: str, other: str, data_id: str | None, request_id: str | None, ts: str, skew: int, junk: str | None
) -> None:
    assume(other != secret)
    assert not _mp(secret, mercadopago_signature(other, data_id, request_id, ts), request_id, data_id)
    stale = str(int(NOW) + skew) if len(ts) == 10 else str(int(NOW * 1000) + skew * 1000)
    assert not _mp(secret, mercadopago_signature(secret, data_id, request_id, stale), request_id, data_id)
    assert not _mp(secret, junk, request_id, data_id)  # never signed: refused, and no exception


@SETTINGS
@given(secret=secrets, data_id=data_ids, request_id=request_ids, ts=timestamps, data=st.data())
def test_mercadopago_refuses_a_field_separator_inside_a_field(
    secret: str, data_id: str | None, request_id: str | None, ts: str, data: st.DataObject
) -> None:
    if data.draw(st.booleans()):
        data_id = (data_id or "") + ";" + data.draw(st.text(max_size=20))
    else:
        request_id = (request_id or "") + ";" + data.draw(st.text(max_size=20))
    assert not _mp(secret, mercadopago_signature(secret, data_id, request_id, ts), request_id, data_id)
