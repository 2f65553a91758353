"""Mercado Pago REST client: payments, search, Checkout Pro preferences, refunds.

Three attempts with exponential backoff on 429, 5xx, timeouts and connection
errors; none on other 4xx (retrying a refusal changes nothing). A circuit
breaker stops calling for a while after repeated outages, so a dead API costs
a fast failure instead of a 10 s timeout per notification.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from circuitbreaker import CircuitBreaker, CircuitBreakerError
from prometheus_client import Gauge
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)
BREAKER_OPEN = Gauge("mercadopago_circuit_open", "1 while calls to Mercado Pago are suspended")


def minor_units(amount: Any) -> int:
    """Centavos of an amount as the API writes it (decimal pesos: 12345.5)."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class MercadoPagoError(Exception):
    """A call failed for good (after retries, or refused)."""


class Unavailable(MercadoPagoError):
    """Worth retrying later: 429, 5xx, timeout, connection error, open circuit."""


class NotFound(MercadoPagoError):
    """The resource does not exist (a foreign or forged id)."""


class MercadoPago:
    def __init__(
        self, base_url: str, token: str, *, timeout: float = 10.0, attempts: int = 3, recovery_seconds: float = 30
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )
        self.attempts = attempts
        self.breaker = CircuitBreaker(
            failure_threshold=5, recovery_timeout=recovery_seconds, expected_exception=Unavailable, name="mercadopago"
        )
        # The decorated call refuses while the circuit is open (`breaker.call_async` would not).
        self._call = self.breaker(self._once)

    async def _once(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            reply = await self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:  # timeouts, refused connections
            raise Unavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if reply.status_code == 429 or reply.status_code >= 500:
            raise Unavailable(f"{method} {path}: HTTP {reply.status_code}")
        if reply.status_code == 404:
            raise NotFound(f"{method} {path}: not found")
        if reply.status_code >= 400:
            raise MercadoPagoError(f"{method} {path}: HTTP {reply.status_code} {reply.text[:200]}")
        return reply.json()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.5, max=4),
            retry=retry_if_exception_type(Unavailable),
            reraise=True,
        )
        try:
            return await retrying(self._call, method, path, **kwargs)
        except CircuitBreakerError as exc:
            raise Unavailable("circuit open: Mercado Pago failed repeatedly") from exc
        finally:
            BREAKER_OPEN.set(1 if self.breaker.opened else 0)

    async def get_payment(self, payment_id: str) -> dict[str, Any]:
        return dict(await self._request("GET", f"/v1/payments/{payment_id}"))

    async def search_payments(self, external_reference: str) -> list[dict[str, Any]]:
        reply = await self._request("GET", "/v1/payments/search", params={"external_reference": external_reference})
        return list(reply.get("results", []))

    async def create_preference(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return dict(
            await self._request(
                "POST", "/checkout/preferences", json=body, headers={"X-Idempotency-Key": idempotency_key}
            )
        )

    async def refund(self, payment_id: str, amount_minor: int | None, idempotency_key: str) -> dict[str, Any]:
        """Give back `amount_minor` of the payment (None: all that is left of it, no body, as Mercado
        Pago takes a full refund). The key makes a retry of a call that timed out the same refund."""
        body = {} if amount_minor is None else {"json": {"amount": amount_minor / 100}}
        headers = {"X-Idempotency-Key": idempotency_key}
        return dict(await self._request("POST", f"/v1/payments/{payment_id}/refunds", headers=headers, **body))

    async def close(self) -> None:
        await self.http.aclose()
