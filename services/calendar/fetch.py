"""Fetching a channel's feed politely and defensively: only from public addresses, every
redirect hop checked again (services/common/safe_http.py), few redirects, a deadline for the
whole fetch, a size limit on the decompressed body, and conditional requests (ETag /
Last-Modified => 304)."""

import asyncio
from dataclasses import dataclass

import httpx

from services.common import safe_http

MAX_BYTES = 5 * 1024 * 1024  # decompressed
MAX_REDIRECTS = 3
TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # each connect and each read
DEADLINE = 30.0  # seconds for the whole fetch, redirects and body included: a feed that trickles fails


class FetchError(Exception):
    """The feed could not be fetched; the message says why (never what a refused address answered)."""


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


async def fetch(
    client: httpx.AsyncClient, url: str, etag: str | None, last_modified: str | None, deadline: float = DEADLINE
) -> Fetched:
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(deadline):
            request = client.build_request("GET", url, headers=headers, timeout=TIMEOUT)
            return await _get(client, request, etag, last_modified)
    except safe_http.AddressNotAllowed:
        raise FetchError("address not allowed") from None
    except safe_http.BodyTooLarge:
        raise FetchError(f"feed larger than {MAX_BYTES} bytes") from None
    except safe_http.UndecodableBody as exc:
        raise FetchError(str(exc)) from None
    except TimeoutError:
        raise FetchError(f"took over {deadline:g} s") from None
    except httpx.TimeoutException as exc:
        raise FetchError("timed out") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc


async def _get(
    client: httpx.AsyncClient, request: httpx.Request, etag: str | None, last_modified: str | None
) -> Fetched:
    """The feed at `request`, following its redirects one by one (each a newly checked connection)."""
    for _ in range(MAX_REDIRECTS + 1):
        reply = await client.send(request, stream=True)
        try:
            if reply.next_request is not None:
                request = reply.next_request
                continue
            if reply.status_code == 304:
                return Fetched(True, etag=etag, last_modified=last_modified)
            return await _read(reply)
        finally:
            await reply.aclose()
    raise FetchError("too many redirects")


async def _read(reply: httpx.Response) -> Fetched:
    if reply.status_code != 200:
        raise FetchError(f"HTTP {reply.status_code}")
    declared = reply.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise FetchError(f"feed larger than {MAX_BYTES} bytes")
    body = await safe_http.read(reply, MAX_BYTES)
    return Fetched(False, body, reply.headers.get("etag"), reply.headers.get("last-modified"))


def client(allowed: safe_http.Policy | None = None) -> httpx.AsyncClient:
    """The feeds' client: `allowed` decides which addresses it may connect to (by default, as
    ALLOW_PRIVATE_FETCH_ADDRESSES says: public ones only, unless it is set)."""
    return safe_http.client(allowed or safe_http.policy(), headers={"User-Agent": "Cabanas-calendar/1.0"})
