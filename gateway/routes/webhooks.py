"""Webhooks from the internet: verified over the raw bytes, stored by the owning
service, acknowledged only once stored. Nothing unverified is stored."""

import hmac
import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse
from google.protobuf.timestamp_pb2 import Timestamp
from opentelemetry import propagate

from cabanas.v1 import messaging_pb2, payments_pb2
from gateway import schemas
from gateway.deps import ClientsDep, SettingsDep
from gateway.routes import API_PREFIX
from gateway.signatures import verify_mercadopago, verify_whatsapp

log = logging.getLogger(__name__)
router = APIRouter(prefix=f"{API_PREFIX}/webhooks", tags=["webhooks"], responses=schemas.errors(*schemas.UPSTREAM))

MAX_BODY_BYTES = 64 * 1024
_KEPT_HEADERS = ("x-request-id", "x-signature", "x-retry", "content-type", "user-agent")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"The body is larger than {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"The body is larger than {limit} bytes.")
    return bytes(body)


def _now() -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(datetime.now(UTC))
    return ts


def _traceparent() -> str:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent", "")


@router.post("/mercadopago", responses=schemas.errors(403, 413))
async def mercadopago(
    request: Request,
    clients: ClientsDep,
    settings: SettingsDep,
    x_signature: Annotated[str | None, Header(max_length=500)] = None,
    x_request_id: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, object]:
    body = await read_body(request, MAX_BODY_BYTES)
    query = {k: v[:200] for k, v in request.query_params.items()}
    secret = settings.mercadopago_webhook_secret
    if secret is None:
        log.warning("MERCADOPAGO_WEBHOOK_SECRET is not set: notification accepted unverified (development)")
    else:
        data_id = query.get("data.id") or query.get("id")
        tolerance = settings.mercadopago_webhook_tolerance_seconds
        verdict = verify_mercadopago(
            secret.get_secret_value(), x_signature, x_request_id, data_id, tolerance_seconds=tolerance
        )
        if not verdict.ok:
            log.warning("mercadopago webhook refused: %s", verdict.reason, extra={"x_request_id": x_request_id})
            raise HTTPException(403, "Invalid signature.")
        log.info("mercadopago webhook verified (%s)", verdict.reason, extra={"x_request_id": x_request_id})
    headers = {k: request.headers[k][:500] for k in _KEPT_HEADERS if k in request.headers}
    stored = await clients.payments.HandleNotification(
        payments_pb2.HandleNotificationRequest(
            body=body, query=query, headers=headers, received_at=_now(), traceparent=_traceparent()
        )
    )
    return {"status": "received", "notification_id": stored.notification_id}


MAX_WHATSAPP_BYTES = 1024 * 1024


CHALLENGE: schemas.Responses = {
    200: {"description": "The challenge, echoed", "content": {"text/plain": {"schema": {"type": "string"}}}}
}


# response_class=Response, not PlainTextResponse: that would document the JSON errors as text/plain too
@router.get("/whatsapp", response_class=Response, responses=CHALLENGE | schemas.errors(403))
async def whatsapp_verify(
    settings: SettingsDep,
    mode: Annotated[str, Query(alias="hub.mode", max_length=20)] = "",
    token: Annotated[str, Query(alias="hub.verify_token", max_length=200)] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)] = "",
) -> Response:
    """Meta's subscription handshake: echo the challenge when the verify token matches."""
    expected = settings.whatsapp_verify_token
    matches = expected is not None and hmac.compare_digest(token.encode(), expected.get_secret_value().encode())
    if mode != "subscribe" or not matches:  # bytes: compare_digest refuses a non-ASCII str (a 500)
        raise HTTPException(403, "Verification failed.")
    return PlainTextResponse(challenge)


@router.post("/whatsapp", responses=schemas.errors(403, 413))
async def whatsapp(
    request: Request,
    clients: ClientsDep,
    settings: SettingsDep,
    x_hub_signature_256: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, object]:
    body = await read_body(request, MAX_WHATSAPP_BYTES)
    secret = settings.whatsapp_app_secret
    if secret is None:
        log.warning("WHATSAPP_APP_SECRET is not set: webhook accepted unverified (development)")
    elif not verify_whatsapp(secret.get_secret_value(), body, x_hub_signature_256):
        raise HTTPException(403, "Invalid signature.")
    stored = await clients.messaging.HandleWhatsAppWebhook(
        messaging_pb2.HandleWhatsAppWebhookRequest(payload=body, received_at=_now(), traceparent=_traceparent())
    )
    return {
        "status": "received",
        "messages": len(stored.accepted_message_ids),
        "duplicates": len(stored.duplicate_message_ids),
    }
