"""HTTP to URLs that outsiders choose (channel feeds, WhatsApp media): never to our own network.

Every connection resolves its host once, refuses it when any of its addresses is not public
(loopback, private, link-local, CGNAT, multicast, unspecified, reserved, and their IPv6
equivalents), and connects to the address it checked, so DNS rebinding cannot switch it; a
redirect is a new connection, checked the same way. No proxy from the environment is used (it
would resolve the name itself). ALLOW_PRIVATE_FETCH_ADDRESSES lets development and tests reach
local servers.

Bodies are read with a cap on what they expand to: gzip or deflate is decompressed here, a
chunk at a time and never past the cap, so a small bomb cannot fill memory.
"""

import asyncio
import ipaddress
import socket
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from services.common.settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Policy = Callable[[IPAddress], bool]  # whether a connection may go to an address
ACCEPT_ENCODING = "gzip, deflate"  # the encodings `read` decodes
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class AddressNotAllowed(Exception):
    """The URL's host is, or resolves to, an address the policy refuses (which one is not said)."""

    def __init__(self) -> None:
        super().__init__("address not allowed")


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")


class UndecodableBody(Exception):
    """An encoding other than gzip or deflate, or a corrupt one."""


def public(address: IPAddress) -> bool:
    """Whether `address` is on the public internet: an IPv6 form of an IPv4 address
    (mapped, NAT64, 6to4) is judged by the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in _NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None:
            return public(carried)
    # is_global leaves out loopback, RFC 1918, link-local, CGNAT, unspecified and reserved ranges.
    return address.is_global and not address.is_multicast


def anywhere(_: IPAddress) -> bool:
    return True


def policy(allow_private: bool | None = None) -> Policy:
    """`anywhere` when private addresses are allowed (None: as ALLOW_PRIVATE_FETCH_ADDRESSES says), else `public`."""
    if allow_private is None:
        allow_private = get_settings().allow_private_fetch_addresses
    return anywhere if allow_private else public


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks every address, then connects to a checked one by its number (a Unix
    socket is never asked for: the clients below name no `uds`)."""

    def __init__(self, allowed: Policy) -> None:
        self.allowed = allowed
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port)
        if not addresses or not all(self.allowed(a) for a in addresses):
            raise AddressNotAllowed
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:  # the next address may answer
                failure = exc
        assert failure is not None
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"{host} does not resolve") from exc
    return [ipaddress.ip_address(a) for a in dict.fromkeys(str(info[4][0]) for info in found)]


class _CheckedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, allowed: Policy) -> None:
        super().__init__(trust_env=False)
        # httpx takes no network backend: its pool is made again around ours, with httpx's default limits.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_CheckedBackend(allowed),
        )


def client(allowed: Policy, **options: Any) -> httpx.AsyncClient:
    """An httpx client whose every connection `allowed` approves; it follows no redirect itself
    (each hop is the caller's new request) and asks only for the encodings `read` decodes."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING, **options.pop("headers", {})}
    return httpx.AsyncClient(
        transport=_CheckedTransport(allowed), follow_redirects=False, trust_env=False, headers=headers, **options
    )


async def read(reply: httpx.Response, limit: int) -> bytes:
    """A streamed reply's body, decoded; BodyTooLarge as soon as it (raw or decoded) passes `limit`."""
    decode = _decoder(reply.headers.get("content-encoding", "").strip().lower())
    body, raw = bytearray(), 0
    async for chunk in reply.aiter_raw():
        raw += len(chunk)
        body += decode(chunk, limit + 1 - len(body))
        if len(body) > limit or raw > limit:
            raise BodyTooLarge(limit)
    return bytes(body)


def _decoder(encoding: str) -> Callable[[bytes, int], bytes]:
    """decode(chunk, room): the chunk's decoded bytes, at most `room` (more would be over the cap)."""
    if encoding in ("", "identity"):
        return lambda chunk, _: chunk
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise UndecodableBody(f"unsupported encoding {encoding[:40]!r}")
    inflate = zlib.decompressobj(wbits=47)  # 32 + 15: a gzip or a zlib header, found from the data

    def decode(chunk: bytes, room: int) -> bytes:
        try:
            return inflate.decompress(chunk, room)  # past `room` the rest stays compressed
        except zlib.error as exc:
            raise UndecodableBody(f"corrupt {encoding}") from exc

    return decode
