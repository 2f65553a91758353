"""Fakes for payments' unit tests: Mercado Pago's REST API on a local port (the internet
API), and booking as an in-memory implementation of the port."""

import itertools
import json
import threading
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from services.common.errors import not_found, unavailable
from services.payments.ports import Outcome, Reservation


class FakeMercadoPago:
    """The endpoints payments calls, answered from memory over real HTTP."""

    def __init__(self) -> None:
        self.payments: dict[str, dict[str, Any]] = {}
        self.preferences: list[dict[str, Any]] = []  # bodies received, with their idempotency key
        self.failures: list[int] = []  # HTTP statuses of the next answers, whatever is asked
        self.calls: list[str] = []  # "GET /v1/payments/1000", in order
        self.refunds: list[dict[str, Any]] = []  # refund requests made: {"payment", "body", "key"}
        self._refunded: dict[str, dict[str, Any]] = {}  # the refund made with each idempotency key
        self._ids = itertools.count(1000)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeMercadoPago":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def pay(self, reference: str, amount_minor: int, currency: str = "ARS", status: str = "approved") -> str:
        """A payment made in the checkout; its id."""
        payment_id = next(self._ids)
        self.payments[str(payment_id)] = {
            "id": payment_id,
            "status": status,
            "status_detail": "accredited" if status == "approved" else status,
            "transaction_amount": amount_minor / 100,
            "currency_id": currency,
            "external_reference": reference,
        }
        return str(payment_id)

    def answer(self, method: str, url: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
        self.calls.append(f"{method} {path}")
        if self.failures:
            return self.failures.pop(0), {"message": "failing on purpose"}
        if method == "GET" and path == "/v1/payments/search":
            reference = query.get("external_reference", [""])[0]
            return 200, {"results": [p for p in self.payments.values() if p["external_reference"] == reference]}
        if method == "GET" and path.startswith("/v1/payments/"):
            found = self.payments.get(path.rsplit("/", 1)[1])
            return (200, found) if found else (404, {"message": "Payment not found"})
        if method == "POST" and path.startswith("/v1/payments/") and path.endswith("/refunds"):
            return self._refund(path.split("/")[3], body or {}, headers.get("x-idempotency-key", ""))
        if method == "POST" and path == "/checkout/preferences":
            self.preferences.append({**body, "idempotency_key": headers.get("x-idempotency-key", "")})
            preference_id = f"pref-{uuid.uuid4().hex[:8]}"
            return 201, {"id": preference_id, "init_point": f"{self.url}/checkout/{preference_id}"}
        return 404, {"message": "no such endpoint"}

    def _refund(self, payment_id: str, body: dict[str, Any], key: str) -> tuple[int, Any]:
        """As Mercado Pago: the key replays a refund made; no amount is all that is left; a payment
        all given back turns `refunded`, partly `partially_refunded` with `transaction_amount_refunded`."""
        self.refunds.append({"payment": payment_id, "body": body, "key": key})
        if key in self._refunded:
            return 201, self._refunded[key]
        payment = self.payments.get(payment_id)
        if payment is None:
            return 404, {"message": "Payment not found"}
        given = payment.get("transaction_amount_refunded", 0)
        left = round(payment["transaction_amount"] - given, 2)
        amount = body.get("amount", left)
        if payment["status"] != "approved" or left <= 0:
            return 400, {"message": "Payment not refundable", "status": 400}
        if not 0 < amount <= left:
            return 400, {"message": "Invalid refund amount", "status": 400}
        payment["transaction_amount_refunded"] = round(given + amount, 2)
        full = payment["transaction_amount_refunded"] >= payment["transaction_amount"]
        payment["status"], payment["status_detail"] = (
            ("refunded", "refunded") if full else ("approved", "partially_refunded")
        )
        made = {"id": next(self._ids), "payment_id": payment["id"], "amount": amount, "status": "approved"}
        self._refunded[key] = made
        return 201, made


def _handler(fake: FakeMercadoPago) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload = fake.answer(self.command, self.path, body, headers)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _reply

        def log_message(self, *_: object) -> None:  # quiet
            pass

    return Handler


class FakeBooking:
    """The booking port in memory: reservations by code, the confirmations asked for."""

    def __init__(self) -> None:
        self.reservations: dict[str, Reservation] = {}
        self.confirmations: list[tuple[str, str]] = []  # (code, payment reference)
        self.actors: list[str] = []  # who asked for each confirmation
        self.outcome = Outcome.CONFIRMED  # what the next confirmations answer
        self.down = False
        self.answers_lost = False  # confirmations are made but their answer never arrives

    def hold(
        self,
        deposit_minor: int = 30_000_00,
        currency: str = "ARS",
        status: str = "pre_reserved",
        total_minor: int | None = None,  # None: the deposit is 30 % of it
        balance_on_arrival: bool = False,
    ) -> Reservation:
        code = f"RES{uuid.uuid4().hex[:12].upper()}"
        self.reservations[code] = Reservation(
            code=code,
            status=status,
            accommodation_name="Cabaña del Lago",
            check_in=date(2031, 1, 3),
            check_out=date(2031, 1, 5),
            nights=2,
            deposit_minor=deposit_minor,
            currency=currency,
            expires_at=datetime.now(UTC) + timedelta(minutes=30),
            total_minor=deposit_minor * 10 // 3 if total_minor is None else total_minor,
            balance_on_arrival=balance_on_arrival,
        )
        return self.reservations[code]

    def _answering(self) -> None:
        if self.down:
            raise unavailable("UNAVAILABLE", "booking did not answer")

    async def reservation(self, code: str) -> Reservation:
        self._answering()
        if code not in self.reservations:
            raise not_found(f"No existe la reserva {code}.")
        return self.reservations[code]

    async def confirm(self, code: str, payment_reference: str, actor: str) -> Outcome:
        self._answering()
        self.confirmations.append((code, payment_reference))
        self.actors.append(actor)
        if self.outcome in (Outcome.CONFIRMED, Outcome.RETAKEN):
            self.reservations[code] = replace(self.reservations[code], status="confirmed")
        if self.answers_lost:
            raise unavailable("DEADLINE_EXCEEDED", "the answer was lost")
        return self.outcome
