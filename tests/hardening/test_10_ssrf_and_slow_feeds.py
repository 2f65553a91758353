"""10. SSRF and slow feeds.

Feed URLs and WhatsApp media URLs were fetched following redirects with no address filtering, so
they could reach 127.0.0.1, 169.254.169.254 or cluster services, and `last_error` echoed what was
found there; the timeout was per read, with no overall deadline; a gzip feed was inflated a whole
chunk at a time (a 64 KiB chunk of a bomb is 64 MiB) before its size was counted.

Now (services/common/safe_http.py) every connection resolves its host once, refuses it when any
address is not public (loopback, RFC 1918, link-local, CGNAT, multicast, unspecified, reserved,
and the IPv6 forms) and connects to the checked address; redirects are followed one by one, each a
new checked connection; a fetch has a deadline as a whole (`fetch.DEADLINE`); gzip and deflate are
inflated here, never past the size cap; a refused fetch records only "address not allowed".
ALLOW_PRIVATE_FETCH_ADDRESSES lets development and the test stack reach their local fakes.

No test here sends a packet to anything but loopback: the classifier is tested on literal
addresses, and the refusals with servers on 127.0.0.1 / 127.0.0.2 and the name `localhost`."""

import gzip
import ipaddress
import json
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator

import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2_grpc
from devtools.devstack import stop_children
from devtools.embedded import free_port
from services.booking.tests.helpers import make_cabin
from services.calendar import fetch
from services.common import safe_http
from services.messaging.graph import MediaError, WhatsApp, fetch_media
from tests.stack import Stack, admin_token, start_stack
from tests.test_calendar import add_feed, feed, sync, vevent
from testsupport.feeds import FeedServer

REFUSED = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # the cloud's metadata service
    "100.64.0.1",  # CGNAT
    "224.0.0.1",
    "0.0.0.0",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:a00:1::",  # 6to4 of 10.0.0.1
]
PUBLIC = ["8.8.8.8", "151.101.1.69", "2606:4700:4700::1111", "2a03:2880:f12f:83:face:b00c:0:25de"]
ONLY_127_0_0_1 = {ipaddress.ip_address("127.0.0.1")}


def only_127_0_0_1(address: safe_http.IPAddress) -> bool:
    """A policy for tests: 127.0.0.1 stands for a public host, anything else is refused."""
    return address in ONLY_127_0_0_1


class Listener:
    """A TCP port that counts the connections made to it (where none may be)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.create_server((host, 0))
        self.sock.setblocking(False)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}"

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    def close(self) -> None:
        self.sock.close()


class Trickle:
    """A feed host that sends its headers, then one byte every `every` seconds (never a read timeout)."""

    def __init__(self, every: float = 0.1) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/slow.ics"
        self.every, self.stopped = every, threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 100000\r\n\r\n")
            while not self.stopped.wait(self.every):
                try:
                    conn.sendall(b"B")
                except OSError:
                    return

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


@pytest.fixture(scope="module")
def channels() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
def listener() -> Iterator[Listener]:
    port = Listener()
    yield port
    port.close()


@pytest.fixture
async def public_only() -> AsyncIterator[httpx.AsyncClient]:
    async with fetch.client(safe_http.public) as client:
        yield client


@pytest.fixture
async def one_host() -> AsyncIterator[httpx.AsyncClient]:
    async with fetch.client(only_127_0_0_1) as client:
        yield client


async def refused(client: httpx.AsyncClient, url: str, **options: float) -> str:
    with pytest.raises(fetch.FetchError) as caught:
        await fetch.fetch(client, url, None, None, **options)
    return str(caught.value)


# The classifier, on literal addresses: nothing is sent anywhere.


@pytest.mark.parametrize("address", REFUSED)
def test_loopback_private_link_local_cgnat_multicast_and_their_ipv6_forms_are_not_public(address: str) -> None:
    assert not safe_http.public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are(address: str) -> None:
    assert safe_http.public(ipaddress.ip_address(address))


def test_the_setting_picks_the_policy() -> None:
    assert safe_http.policy(False) is safe_http.public and safe_http.policy(True) is safe_http.anywhere


# Refusals before connecting, with servers on loopback.


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_feed_on_a_refused_address_is_refused_without_connecting(
    public_only: httpx.AsyncClient, listener: Listener, host: str
) -> None:
    url = listener.url.replace("127.0.0.1", host) + "/feed.ics"
    assert await refused(public_only, url) == "address not allowed"
    assert listener.connections() == 0


async def test_a_redirect_to_a_refused_address_is_refused(one_host: httpx.AsyncClient, channels: FeedServer) -> None:
    elsewhere = Listener("127.0.0.2")
    try:
        start = channels.serve("/moved.ics", status=302, headers={"Location": f"{elsewhere.url}/feed.ics"})
        assert await refused(one_host, start) == "address not allowed"
        assert channels.routes["/moved.ics"].hits == 1 and elsewhere.connections() == 0
    finally:
        elsewhere.close()


async def test_allowed_redirects_are_followed_a_few_times(one_host: httpx.AsyncClient, channels: FeedServer) -> None:
    body = feed(vevent("r@x", 40, 42))
    channels.serve("/final.ics", body=body)
    first = channels.serve("/hop.ics", status=301, headers={"Location": "/final.ics"})
    assert (await fetch.fetch(one_host, first, None, None)).body == body
    loop = channels.serve("/loop.ics", status=302, headers={"Location": "/loop.ics"})
    assert await refused(one_host, loop) == "too many redirects"
    assert channels.routes["/loop.ics"].hits == fetch.MAX_REDIRECTS + 1


async def test_media_urls_are_checked_too(channels: FeedServer) -> None:
    """The media id's URL comes in Graph's reply: it is not followed to a refused address."""
    elsewhere = Listener("127.0.0.2")
    channels.serve("/4242", body=json.dumps({"url": f"{elsewhere.url}/media/4242", "file_size": 10}).encode())
    strict = WhatsApp(channels.url, "1", "TEST-token", allowed=safe_http.public)
    one_host = WhatsApp(channels.url, "1", "TEST-token", allowed=only_127_0_0_1)
    try:
        for whatsapp, graph_hits in ((strict, 0), (one_host, 1)):
            with pytest.raises(MediaError, match="address not allowed"):
                await fetch_media(whatsapp, "4242", "")
            assert channels.routes["/4242"].hits == graph_hits and elsewhere.connections() == 0
    finally:
        elsewhere.close()
        for whatsapp in (strict, one_host):
            await whatsapp.http.aclose()


# Deadline and decompression.


async def test_a_feed_that_trickles_hits_the_overall_deadline(one_host: httpx.AsyncClient) -> None:
    slow = Trickle(every=0.1)  # a byte well within every read timeout, 100 kB in 3 hours
    try:
        started = time.perf_counter()
        assert await refused(one_host, slow.url, deadline=1.0) == "took over 1 s"
        assert time.perf_counter() - started < 2
    finally:
        slow.close()
    assert fetch.DEADLINE < 60  # within the gateway's deadline for a sync


async def test_a_gzip_bomb_is_cut_at_the_cap(one_host: httpx.AsyncClient, channels: FeedServer) -> None:
    bomb = gzip.compress(b"\0" * (256 * 2**20), 9)  # 256 MiB in about 250 kB
    url = channels.serve("/bomb.ics", body=bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        assert await refused(one_host, url) == f"feed larger than {fetch.MAX_BYTES} bytes"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * fetch.MAX_BYTES  # the cap and a copy, not a chunk's expansion


@pytest.mark.parametrize(("encoding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
async def test_compressed_feeds_are_read(
    one_host: httpx.AsyncClient, channels: FeedServer, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    body = feed(vevent("z@x", 40, 42))
    url = channels.serve(f"/{encoding}.ics", body=compress(body), headers={"Content-Encoding": encoding})
    assert (await fetch.fetch(one_host, url, None, None)).body == body


async def test_an_encoding_not_asked_for_is_refused(one_host: httpx.AsyncClient, channels: FeedServer) -> None:
    url = channels.serve("/br.ics", body=b"\x8b\x02\x80", headers={"Content-Encoding": "br"})
    assert await refused(one_host, url) == "unsupported encoding 'br'"


# Through the gateway, with the setting off as in production.


@pytest.fixture(scope="module")
def production_fetches(stack: Stack) -> Iterator[Stack]:
    """A calendar and a gateway with ALLOW_PRIVATE_FETCH_ADDRESSES off, the rest of the stack shared
    (its own sync loop idle: the stack's feeds are not its business)."""
    gateway_port = free_port()
    env = stack.env | {
        "CALENDAR_ADDR": f"127.0.0.1:{free_port()}",
        "GATEWAY_PORT": str(gateway_port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{gateway_port}",
        "ALLOW_PRIVATE_FETCH_ADDRESSES": "false",
        "ICAL_SYNC_INTERVAL_SECONDS": "86400",
    }
    running = start_stack(env, services=("calendar",))
    yield running
    stop_children(running.processes)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_feed_on_our_own_network_is_refused_and_says_only_that(
    stack: Stack, production_fetches: Stack, channels: FeedServer, host: str
) -> None:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        cabin = make_cabin(booking_pb2_grpc.BookingServiceStub(channel))
    path = f"/internal/{cabin.id}.ics"
    url = channels.serve(path, body=b"BEGIN:VCALENDAR\r\nX-SECRET:internal\r\nEND:VCALENDAR\r\n")
    auth = {"Authorization": f"Bearer {admin_token()}"}
    feed_id = add_feed(production_fetches, auth, cabin.id, url.replace("127.0.0.1", host))
    try:
        result = sync(production_fetches, auth, feed_id)
        assert channels.routes[path].hits == 0  # not even asked
        assert (result["status"], result["error"]) == ("failed", "address not allowed")
        listed = httpx.get(
            f"{production_fetches.gateway_url}/api/v1/admin/ical/feeds",
            params={"accommodation_id": cabin.id},
            headers=auth,
        ).json()
        assert (listed[0]["last_status"], listed[0]["last_error"]) == ("failed", "address not allowed")
    finally:
        httpx.delete(f"{production_fetches.gateway_url}/api/v1/admin/ical/feeds/{feed_id}", headers=auth)
