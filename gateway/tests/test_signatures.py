"""Mercado Pago x-signature verification against the documented manifest."""

from typing import Any

import pytest

from gateway.signatures import Verdict, mercadopago_signature, verify_mercadopago

SECRET = "mpsecret"
# Vectors computed from Mercado Pago's documented manifest (shared/data/original-system/signatures.json).
FULL = {
    "data_id": "123456",
    "request_id": "bb56a2f1-6aae-46ac-982e-9dcd3581d08e",
    "header": "ts=1742505638683,v1=00fbd2ab5d710a74685b74d55933d3f901af9720b7f94581afcdf81e0679f0e3",
    "now": 1742505638.683,
}
UPPER = {
    "data_id": "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3",
    "request_id": "req-abc",
    "header": "ts=1704908010,v1=2c8665b5b499e89203575eafec05c250bb35ed8f1df0c8c9e6d0dfc89926108c",
    "now": 1704908010.0,
}


def _verify(vector: dict[str, Any], **change: object) -> Verdict:
    v = vector | change
    return verify_mercadopago(v.get("secret", SECRET), v["header"], v["request_id"], v["data_id"], now=v["now"])


def test_documented_vector_verifies() -> None:
    verdict = _verify(FULL)
    assert verdict.ok and verdict.reason == "id as received"


def test_upper_case_alphanumeric_id_verifies_lower_cased_in_seconds() -> None:
    verdict = _verify(UPPER)
    assert verdict.ok and verdict.reason == "id lower-cased"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"secret": "another-secret"}, "signature mismatch"),
        ({"data_id": "123457"}, "signature mismatch"),
        ({"header": None}, "missing x-signature"),
        ({"header": "v1=00fbd2ab"}, "malformed x-signature"),
        ({"header": "ts=abc,v1=00"}, "malformed ts"),
        ({"request_id": None}, "signature mismatch"),
        ({"now": 1742505638.683 + 301}, "stale or future ts"),
        ({"now": 1742505638.683 - 301}, "stale or future ts"),
    ],
)
def test_refusals(change: dict[str, object], reason: str) -> None:
    verdict = _verify(FULL, **change)
    assert not verdict.ok and verdict.reason == reason


def test_absent_parts_are_left_out_of_the_manifest() -> None:
    header = mercadopago_signature(SECRET, None, None, "1742505638683")
    assert verify_mercadopago(SECRET, header, None, None, now=1742505638.683).ok
    assert not verify_mercadopago(SECRET, header, "req-1", None, now=1742505638.683).ok


def test_a_numeric_id_is_never_lower_cased_and_case_matters_for_others() -> None:
    header = mercadopago_signature(SECRET, "abc123", "r", "1704908010")
    assert not verify_mercadopago(SECRET, header, "r", "ABC124", now=1704908010).ok
    assert verify_mercadopago(SECRET, header, "r", "ABC123", now=1704908010).ok  # lower-cased retry
