"""A local fake of the Mercado Pago API that speaks its wire format, plus the
sandbox checkout a person clicks through after `make run`.

- `POST /checkout/preferences`, `GET /v1/payments/{id}`, `GET /v1/payments/search`,
  `POST` / `GET /v1/payments/{id}/refunds` as the real API (bearer token required;
  a refund without `amount` is the whole remainder, `X-Idempotency-Key` replays it,
  a partial refund leaves the payment `approved` / `partially_refunded` with
  `transaction_amount_refunded`, the last one makes it `refunded`).
- `GET /checkout/{preference_id}`: a page with the stay, the amount and
  **Pagar** / **Rechazar**; pressing one records a payment here and sends a
  notification signed as Mercado Pago signs it to the preference's
  `notification_url`.
- `/_control/*` for tests: create payments, change one as the seller's panel or a
  chargeback would (`/_control/payments/{id}`), make the next calls fail, go down.

`python -m devtools.gateway` mounts it at /sandbox/mercadopago in development
without a Mercado Pago token (`make run`); tests and benchmarks run it alone as
the API: `python -m devtools.sandbox.mercadopago` (PORT). Either way it answers
only clients on this machine: whoever reaches it can confirm any reservation
for free and read payers' emails.
"""

import html
import ipaddress
import itertools
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from gateway.signatures import mercadopago_signature
from services.common.settings import Settings

PREFIX = "/sandbox/mercadopago"  # where the payments service sends payment links without a token
USER_ID = 724484980  # the sandbox's seller


@dataclass(frozen=True)
class Notification:
    """A payment notification as Mercado Pago sends it: appended query, JSON body, signed headers."""

    query: str
    body: dict[str, Any]
    headers: dict[str, str]


def notification(secret: str | None, payment_id: str) -> Notification:
    """The notification of a change to `payment_id`; `x-signature` over its manifest with `secret`, when given."""
    request_id, ts = str(uuid.uuid4()), str(int(time.time() * 1000))
    headers = {"x-request-id": request_id, "content-type": "application/json"}
    if secret:
        headers["x-signature"] = mercadopago_signature(secret, payment_id, request_id, ts)
    body = {
        "action": "payment.updated",
        "api_version": "v1",
        "data": {"id": payment_id},
        "date_created": datetime.now(UTC).isoformat(),
        "id": str(uuid.uuid4().int)[:11],
        "live_mode": False,
        "type": "payment",
        "user_id": USER_ID,
    }
    return Notification(f"data.id={payment_id}&type=payment", body, headers)


class FakeMercadoPago:
    """In-memory state of the fake."""

    def __init__(self, public_url: str, webhook_secret: str | None) -> None:
        self.public_url = public_url.rstrip("/")
        self.webhook_secret = webhook_secret
        self.preferences: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.failures: list[int] = []  # status codes for the next API calls
        self.down = False
        self.requests: list[dict[str, Any]] = []
        self.refunds_by_key: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(int(time.time()) * 10)

    def add_payment(self, status: str, amount: float, currency: str, external_reference: str) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        payment = {
            "id": next(self._ids),
            "status": status,
            "status_detail": {"approved": "accredited", "rejected": "cc_rejected_other_reason"}.get(status, status),
            "transaction_amount": amount,
            "currency_id": currency,
            "external_reference": external_reference,
            "date_created": now,
            "date_last_updated": now,
            "date_approved": now if status == "approved" else None,
            "live_mode": False,
            "payment_method_id": "account_money",
            "transaction_amount_refunded": 0,
            "refunds": [],
        }
        self.payments[str(payment["id"])] = payment
        return payment

    def refund(self, payment: dict[str, Any], amount: float | None) -> dict[str, Any]:
        """Give back `amount` (None: all that is left) of an approved payment, as Mercado Pago does."""
        left = round(payment["transaction_amount"] - payment["transaction_amount_refunded"], 2)
        if payment["status"] != "approved" or left <= 0:
            raise HTTPException(400, {"message": "Payment not refundable", "error": "bad_request", "status": 400})
        amount = left if amount is None else round(amount, 2)
        if not 0 < amount <= left:
            raise HTTPException(400, {"message": "Invalid refund amount", "error": "bad_request", "status": 400})
        now = datetime.now(UTC).isoformat()
        refund = {
            "id": next(self._ids),
            "payment_id": payment["id"],
            "amount": amount,
            "amount_refunded_to_payer": amount,
            "status": "approved",
            "refund_mode": "standard",
            "source": {"id": str(USER_ID), "name": "Vendedor", "type": "collector"},
            "date_created": now,
            "metadata": {},
        }
        payment["refunds"].append(refund)
        payment["transaction_amount_refunded"] = round(payment["transaction_amount_refunded"] + amount, 2)
        full = payment["transaction_amount_refunded"] >= payment["transaction_amount"]
        payment["status"], payment["status_detail"] = (
            ("refunded", "refunded") if full else ("approved", "partially_refunded")
        )
        payment["date_last_updated"] = now
        return refund

    async def notify(self, payment: dict[str, Any], notification_url: str) -> int:
        """Send the webhook Mercado Pago would send for this payment."""
        sent = notification(self.webhook_secret, str(payment["id"]))
        separator = "&" if "?" in notification_url else "?"
        async with httpx.AsyncClient(timeout=22) as client:
            reply = await client.post(
                f"{notification_url}{separator}{sent.query}", json=sent.body, headers=sent.headers
            )
        return reply.status_code


def _checkout_page(pref: dict[str, Any], pref_id: str, result: str = "") -> str:
    item = pref["items"][0]
    amount = f"{item['unit_price']:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    title = html.escape(item["title"])
    description = f"<p>{html.escape(item['description'])}</p>" if item.get("description") else ""
    buttons = (
        f'<form method="post" action="{html.escape(pref_id)}/pay"><button>Pagar</button></form>'
        f'<form method="post" action="{html.escape(pref_id)}/reject"><button>Rechazar</button></form>'
    )
    body = f"<p><strong>{html.escape(result)}</strong></p>" if result else buttons
    return (
        '<!doctype html><html lang="es"><meta charset="utf-8"><title>Mercado Pago (sandbox)</title>'
        '<body style="font-family:sans-serif;max-width:28em;margin:3em auto">'
        "<h1>Mercado Pago — sandbox</h1>"
        f"<p>{title}</p><p>A pagar: <strong>{html.escape(item['currency_id'])} ${amount}</strong></p>"
        f"{description}{body}<p><small>Nada sale de esta máquina: es un pago de prueba.</small></p></body></html>"
    )


def is_loopback(host: str) -> bool:
    """127.0.0.0/8 or ::1 (also as an IPv4-mapped IPv6 address)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def _loopback_only(request: Request) -> None:
    """The peer's own address decides: X-Forwarded-For is whatever the client wrote."""
    if request.client is None or not is_loopback(request.client.host):
        raise HTTPException(403, "The Mercado Pago sandbox answers only on this machine.")


def router(fake: FakeMercadoPago) -> APIRouter:
    api = APIRouter(dependencies=[Depends(_loopback_only)])

    def _api_gate(authorization: str | None) -> None:
        if fake.down:
            raise HTTPException(503, "down")
        if fake.failures:
            raise HTTPException(fake.failures.pop(0), "injected failure")
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "unauthorized")

    @api.post("/checkout/preferences", status_code=201)
    async def create_preference(
        request: Request,
        authorization: str | None = Header(None),
        x_idempotency_key: str | None = Header(None),
    ) -> dict[str, Any]:
        _api_gate(authorization)
        body = await request.json()
        fake.requests.append({"path": "/checkout/preferences", "body": body, "idempotency_key": x_idempotency_key})
        for pref_id, existing in fake.preferences.items():
            if x_idempotency_key and existing["idempotency_key"] == x_idempotency_key:
                replayed: dict[str, Any] = existing["response"]
                return replayed | {"id": pref_id}
        pref_id = f"{USER_ID}-{uuid.uuid4()}"
        init_point = f"{fake.public_url}/checkout/{pref_id}"
        response = {
            "id": pref_id,
            "init_point": init_point,
            "sandbox_init_point": init_point,
            "external_reference": body.get("external_reference"),
            "items": body.get("items", []),
            "date_created": datetime.now(UTC).isoformat(),
            "collector_id": USER_ID,
        }
        fake.preferences[pref_id] = {**body, "idempotency_key": x_idempotency_key, "response": response}
        return response

    @api.get("/v1/payments/search")
    async def search(external_reference: str = "", authorization: str | None = Header(None)) -> dict[str, Any]:
        _api_gate(authorization)
        results = [p for p in fake.payments.values() if p["external_reference"] == external_reference]
        return {"paging": {"total": len(results), "limit": 30, "offset": 0}, "results": results}

    @api.get("/v1/payments/{payment_id}")
    async def get_payment(payment_id: str, authorization: str | None = Header(None)) -> dict[str, Any]:
        _api_gate(authorization)
        fake.requests.append({"path": f"/v1/payments/{payment_id}"})
        if payment_id not in fake.payments:
            raise HTTPException(404, "Payment not found")
        return fake.payments[payment_id]

    @api.post("/v1/payments/{payment_id}/refunds", status_code=201)
    async def refund(
        payment_id: str,
        request: Request,
        authorization: str | None = Header(None),
        x_idempotency_key: str | None = Header(None),
    ) -> dict[str, Any]:
        _api_gate(authorization)
        raw = await request.body()
        body = await request.json() if raw.strip() else {}
        fake.requests.append({"path": f"/v1/payments/{payment_id}/refunds", "body": body, "key": x_idempotency_key})
        if x_idempotency_key and x_idempotency_key in fake.refunds_by_key:
            return fake.refunds_by_key[x_idempotency_key]
        if payment_id not in fake.payments:
            raise HTTPException(404, "Payment not found")
        made = fake.refund(fake.payments[payment_id], body.get("amount"))
        if x_idempotency_key:
            fake.refunds_by_key[x_idempotency_key] = made
        return made

    @api.get("/v1/payments/{payment_id}/refunds")
    async def list_refunds(payment_id: str, authorization: str | None = Header(None)) -> list[dict[str, Any]]:
        _api_gate(authorization)
        if payment_id not in fake.payments:
            raise HTTPException(404, "Payment not found")
        refunds: list[dict[str, Any]] = fake.payments[payment_id]["refunds"]
        return refunds

    @api.get("/checkout/{pref_id}", response_class=HTMLResponse)
    async def checkout(pref_id: str) -> str:
        if pref_id not in fake.preferences:
            raise HTTPException(404, "Preferencia inexistente")
        return _checkout_page(fake.preferences[pref_id], pref_id)

    @api.post("/checkout/{pref_id}/{choice}", response_class=HTMLResponse)
    async def pay(pref_id: str, choice: str) -> str:
        pref = fake.preferences.get(pref_id)
        if pref is None or choice not in ("pay", "reject"):
            raise HTTPException(404, "Preferencia inexistente")
        item = pref["items"][0]
        payment = fake.add_payment(
            "approved" if choice == "pay" else "rejected",
            item["unit_price"],
            item["currency_id"],
            pref["external_reference"],
        )
        payment["metadata"] = pref.get("metadata", {})  # Mercado Pago copies the preference's
        status = await fake.notify(payment, pref["notification_url"])
        result = "¡Pago aprobado! Tu reserva se confirma en unos segundos." if choice == "pay" else "Pago rechazado."
        return _checkout_page(pref, pref_id, f"{result} (notificación: HTTP {status})")

    @api.post("/_control/payments")
    async def control_payment(request: Request) -> dict[str, Any]:
        spec = await request.json()
        payment = fake.add_payment(
            spec["status"], spec["amount"], spec.get("currency", "ARS"), spec["external_reference"]
        )
        if spec.get("notify_url"):
            await fake.notify(payment, spec["notify_url"])
        return payment

    @api.post("/_control/payments/{payment_id}")
    async def control_change(payment_id: str, request: Request) -> dict[str, Any]:
        """What happens outside our API: {"refund": amount|null} from the seller's panel, or
        {"status": "charged_back"}; {"notify_url": ...} sends the notification too."""
        spec = await request.json()
        if payment_id not in fake.payments:
            raise HTTPException(404, "Payment not found")
        payment = fake.payments[payment_id]
        if "refund" in spec:
            fake.refund(payment, spec["refund"])
        if "status" in spec:
            payment["status"], payment["status_detail"] = spec["status"], spec.get("status_detail", "settled")
        if spec.get("notify_url"):
            await fake.notify(payment, spec["notify_url"])
        return payment

    @api.post("/_control/state")
    async def control_state(request: Request) -> dict[str, Any]:
        spec = await request.json()
        fake.failures = list(spec.get("failures", fake.failures))
        fake.down = bool(spec.get("down", fake.down))
        return {"failures": fake.failures, "down": fake.down}

    @api.get("/_control/requests")
    async def control_requests() -> JSONResponse:
        return JSONResponse(fake.requests)

    @api.get("/_control/preferences")
    async def control_preferences() -> dict[str, Any]:
        return {k: {kk: vv for kk, vv in v.items() if kk != "response"} for k, v in fake.preferences.items()}

    @api.get("/healthz")
    async def healthz() -> Response:
        return Response("ok")

    return api


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve the sandbox from `app` at PREFIX: checkout pages for people, the API for the payments service."""
    public = f"{settings.public_base_url.rstrip('/')}{PREFIX}"
    secret = settings.mercadopago_webhook_secret
    fake = FakeMercadoPago(public, secret.get_secret_value() if secret else None)
    app.include_router(router(fake), prefix=PREFIX, include_in_schema=False)


def create_app(public_url: str, webhook_secret: str | None) -> FastAPI:
    app = FastAPI(title="Fake Mercado Pago")
    app.include_router(router(FakeMercadoPago(public_url, webhook_secret)))
    return app


if __name__ == "__main__":
    import uvicorn

    port = int(os.environ.get("PORT", "8089"))
    public = os.environ.get("FAKE_PUBLIC_URL", f"http://127.0.0.1:{port}")
    uvicorn.run(create_app(public, os.environ.get("MERCADOPAGO_WEBHOOK_SECRET")), host="127.0.0.1", port=port)
