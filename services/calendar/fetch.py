"""Fetching a channel's feed politely and defensively: timeouts, a size limit,
few redirects, and conditional requests (ETag / Last-Modified => 304)."""

from dataclasses import dataclass

import httpx

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class FetchError(Exception):
    """The feed could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


async def fetch(client: httpx.AsyncClient, url: str, etag: str | None, last_modified: str | None) -> Fetched:
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with client.stream("GET", url, headers=headers, timeout=TIMEOUT) as reply:
            if reply.status_code == 304:
                return Fetched(True, etag=etag, last_modified=last_modified)
            if reply.status_code != 200:
                raise FetchError(f"HTTP {reply.status_code}")
            declared = reply.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise FetchError(f"feed larger than {MAX_BYTES} bytes")
            body = bytearray()
            async for chunk in reply.aiter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchError(f"feed larger than {MAX_BYTES} bytes")
            return Fetched(False, bytes(body), reply.headers.get("etag"), reply.headers.get("last-modified"))
    except httpx.TooManyRedirects as exc:
        raise FetchError("too many redirects") from exc
    except httpx.TimeoutException as exc:
        raise FetchError("timed out") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=True, max_redirects=3, headers={"User-Agent": "Cabanas-calendar/1.0"})
