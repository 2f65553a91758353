"""WhatsApp Cloud API sender (`POST {WHATSAPP_API_BASE}/{WHATSAPP_PHONE_ID}/messages`).

Three attempts (1 s, 2 s, 4 s apart) on HTTP 429, 5xx and timeouts, none on
other 4xx; a circuit breaker. Meta's error `code` in the body decides what a
failure means: 131056 (too many messages to this guest) delays only that
guest, 130429 (throughput) backs off, 131047 (outside the 24-hour window)
needs a template, 190 (token expired) needs a person.

Its connections go to public addresses only (services/common/safe_http.py): a media URL
comes in a reply, and must not lead our bearer token or our requests into the cluster.
"""

import asyncio
import hashlib
from typing import Any

import httpx
from circuitbreaker import CircuitBreaker, CircuitBreakerError
from prometheus_client import Gauge
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.common import safe_http

BREAKER_OPEN = Gauge("whatsapp_circuit_open", "1 while sends to the WhatsApp Cloud API are suspended")


class SendError(Exception):
    def __init__(self, message: str, code: int = 0, retry_in: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_in = retry_in  # None: give up on this message


class _Transient(SendError):
    """429, 5xx, timeouts: retried here, then later."""


RETRY_LATER = {130429: 30.0, 131056: 6.0, 4: 60.0, 80007: 60.0}


class WhatsApp:
    def __init__(
        self,
        base_url: str,
        phone_id: str,
        token: str,
        *,
        wait_base: float = 1.0,
        allowed: safe_http.Policy | None = None,  # None: as ALLOW_PRIVATE_FETCH_ADDRESSES says
    ) -> None:
        self.http = safe_http.client(
            allowed or safe_http.policy(),
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        self.path = f"/{phone_id}/messages"
        self.wait_base = wait_base
        self.breaker = CircuitBreaker(
            failure_threshold=5, recovery_timeout=30, expected_exception=_Transient, name="whatsapp"
        )

    async def _once(self, body: dict[str, Any]) -> str:
        try:
            reply = await self.http.post(self.path, json=body)
        except httpx.TransportError as exc:
            raise _Transient(f"{type(exc).__name__}", retry_in=30) from exc
        except safe_http.AddressNotAllowed as exc:  # WHATSAPP_API_BASE is wrong: later, once it is fixed
            raise SendError(str(exc), retry_in=60) from exc
        if reply.status_code < 400:
            return str(reply.json()["messages"][0]["id"])
        try:
            error = reply.json().get("error", {})
        except ValueError:
            error = {}
        code = int(error.get("code") or 0)
        message = f"HTTP {reply.status_code} ({code}) {error.get('message', '')}".strip()
        if code in RETRY_LATER:
            raise SendError(message, code, retry_in=RETRY_LATER[code])
        if reply.status_code == 429 or reply.status_code >= 500:
            raise _Transient(message, code, retry_in=30)
        raise SendError(message, code)  # 131047 outside window, 190 expired token, 100 invalid...

    async def send(self, to: str, body: dict[str, Any]) -> str:
        """The wamid of the sent message."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **body}
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(3),
                wait=wait_exponential(multiplier=self.wait_base, max=4 * self.wait_base),
                retry=retry_if_exception_type(_Transient),
                reraise=True,
            ):
                with attempt:
                    return str(await self.breaker.call_async(self._once, payload))
        except CircuitBreakerError as exc:
            raise SendError("circuit open: WhatsApp failed repeatedly", retry_in=30) from exc
        finally:
            BREAKER_OPEN.set(1 if self.breaker.opened else 0)
        raise AssertionError("unreachable")


class MediaError(Exception):
    """A voice note could not be fetched or failed its checks."""


MAX_MEDIA_BYTES = 16 * 1024 * 1024
MEDIA_DEADLINE = 60.0  # seconds for the whole fetch: a download that trickles fails


async def fetch_media(client: WhatsApp, media_id: str, expected_sha256: str) -> bytes:
    """A message's media: its URL from `GET /{media-id}` (valid 5 minutes), then the
    bytes with the same bearer token (no redirect followed); size limited and checked
    against the sha256."""
    try:
        async with asyncio.timeout(MEDIA_DEADLINE):
            data = await _download(client, media_id)
    except TimeoutError:
        raise MediaError(f"media {media_id}: took over {MEDIA_DEADLINE:g} s") from None
    except (safe_http.AddressNotAllowed, safe_http.UndecodableBody) as exc:
        raise MediaError(f"media {media_id}: {exc}") from exc
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise MediaError(f"media {media_id}: {type(exc).__name__}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise MediaError("media checksum mismatch")
    return data


async def _download(client: WhatsApp, media_id: str) -> bytes:
    info = await client.http.get(f"/{media_id}")
    if info.status_code != 200:
        raise MediaError(f"media {media_id}: HTTP {info.status_code}")
    meta = info.json()
    if int(meta.get("file_size") or 0) > MAX_MEDIA_BYTES:
        raise MediaError("media larger than 16 MiB")
    async with client.http.stream("GET", meta["url"]) as reply:
        if reply.status_code != 200:
            raise MediaError(f"media download: HTTP {reply.status_code}")
        try:
            return await safe_http.read(reply, MAX_MEDIA_BYTES)
        except safe_http.BodyTooLarge:
            raise MediaError("media larger than 16 MiB") from None
