"""4. Anonymous WhatsApp spam and inventory squatting.

The public API creates `web` holds only (another channel is 422 `channel_not_allowed`): WhatsApp
holds come from the bot, which knows who writes. A guest phone has at most
MAX_OPEN_HOLDS_PER_PHONE (3) open holds (pre-reserved, unpaid, not run out) and a client of the
public API (its address, as the rate limiter names it) at most MAX_OPEN_HOLDS_PER_CLIENT (5), even
when its holds race; more are 409 `too_many_open_holds`. Web guests get notifications only once
their number has written to us on WhatsApp or the reservation is paid.

The caps are tested through a gateway and booking of their own with the default caps (the shared
stack is one client reusing a few phones, so it runs without caps); 127.0.0.1 is the trusted proxy
there, so `X-Forwarded-For` names the client. Notifications go through the shared stack."""

import asyncio
import ipaddress
import secrets
import uuid
from collections.abc import Callable, Iterator

import asyncpg
import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from devtools.devstack import stop_children
from services.booking.tests.helpers import make_cabin
from tests.stack import Infra, Stack, stack_env, start_stack
from tests.test_booking_api import body
from tests.test_messaging import body_of, post, wait_for
from testsupport.otlp import OtlpReceiver
from testsupport.whatsapp import envelope, text

Booking = booking_pb2_grpc.BookingServiceStub


@pytest.fixture(scope="module")
def booking(stack: Stack) -> Iterator[Booking]:
    with grpc.insecure_channel(stack.addr("booking")) as channel:
        yield booking_pb2_grpc.BookingServiceStub(channel)


@pytest.fixture(scope="module")
def capped(stack: Stack, infra: Infra, otlp: OtlpReceiver) -> Iterator[Stack]:
    """A booking with the default caps behind a gateway that trusts 127.0.0.1 as its proxy; the
    other services are the shared stack's."""
    env = {k: v for k, v in stack_env(infra, otlp).items() if not k.startswith("MAX_OPEN_HOLDS_")}
    env |= {f"{name}_ADDR": stack.env[f"{name}_ADDR"] for name in ("PAYMENTS", "MESSAGING", "SPEECH", "CALENDAR")}
    own = start_stack(env | {"TRUSTED_PROXIES": "127.0.0.1/32"}, services=("booking",))
    yield own
    stop_children(own.processes)


def _phone() -> str:
    return "+549" + str(uuid.uuid4().int)[:10]


def _client() -> str:
    """A client address of its own (IPv6 documentation prefix, random interface id)."""
    return str(ipaddress.IPv6Address((0x20010DB8 << 96) | secrets.randbits(64)))


def _hold(url: str, cabin_id: int, start: int, phone: str, client: str) -> httpx.Response:
    stay = body(cabin_id, start, start + 2, guest_phone=phone)
    return httpx.post(f"{url}/api/v1/reservations", json=stay, headers={"X-Forwarded-For": client}, timeout=30)


def _capped(reply: httpx.Response, scope: str, limit: int) -> None:
    assert reply.status_code == 409, reply.text
    error = reply.json()["error"]
    assert (error["code"], error["details"]) == ("too_many_open_holds", {"scope": scope, "limit": str(limit)})


async def _outbox(infra: Infra, phone: str) -> int:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM messaging.outbox WHERE phone = $1", phone.lstrip("+")))
    finally:
        await conn.close()


async def _run_out(infra: Infra, code: str) -> None:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute(
            "UPDATE booking.reservations SET expires_at = now() - interval '1 minute' WHERE code = $1", code
        )
    finally:
        await conn.close()


# The public API makes web holds only ------------------------------------------------------------


@pytest.mark.parametrize("channel", ["whatsapp", "admin", "ical", "sms", ""])
async def test_the_public_api_makes_no_hold_but_a_web_one(
    stack: Stack, booking: Booking, infra: Infra, channel: str
) -> None:
    cabin, phone = make_cabin(booking), _phone()
    stay = body(cabin.id, 40, 42, guest_phone=phone, channel=channel)
    reply = await asyncio.to_thread(httpx.post, f"{stack.gateway_url}/api/v1/reservations", json=stay)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "channel_not_allowed"
    listed = booking.ListReservations(booking_pb2.ListReservationsRequest(guest_phone=phone))
    assert list(listed.reservations) == []
    await asyncio.sleep(1)  # were a hold made, its events would be on their way to the notifier
    assert await _outbox(infra, phone) == 0 and infra.graph.to(phone.lstrip("+")) == []


def test_a_web_hold_by_default_and_when_asked(stack: Stack, booking: Booking) -> None:
    cabin = make_cabin(booking)
    unnamed = httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 40, 42))
    named = httpx.post(f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, 42, 44, channel="web"))
    assert (unnamed.status_code, named.status_code) == (201, 201), (unnamed.text, named.text)
    assert unnamed.json()["channel"] == named.json()["channel"] == "web"


# Caps on open holds ------------------------------------------------------------------------------


def test_a_phone_has_at_most_three_open_holds(capped: Stack, booking: Booking) -> None:
    cabin, phone = make_cabin(booking), _phone()
    held = [_hold(capped.gateway_url, cabin.id, 40 + 3 * n, phone, _client()) for n in range(3)]
    assert [r.status_code for r in held] == [201] * 3, [r.text for r in held]
    _capped(_hold(capped.gateway_url, cabin.id, 50, phone, _client()), "phone", 3)
    # A cancelled hold and a paid one are not open any more: two more fit, not a third.
    first, second = held[0].json(), held[1].json()
    cancelled = httpx.post(
        f"{capped.gateway_url}/api/v1/reservations/{first['code']}/cancel",
        headers={"X-Manage-Token": first["manage_token"]},
    )
    assert cancelled.status_code == 200, cancelled.text
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=second["code"], payment_reference="paid"))
    assert _hold(capped.gateway_url, cabin.id, 50, phone, _client()).status_code == 201
    assert _hold(capped.gateway_url, cabin.id, 53, phone, _client()).status_code == 201
    _capped(_hold(capped.gateway_url, cabin.id, 56, phone, _client()), "phone", 3)


async def test_a_run_out_hold_is_not_open(capped: Stack, booking: Booking, infra: Infra) -> None:
    cabin, phone = make_cabin(booking), _phone()
    held = [_hold(capped.gateway_url, cabin.id, 40 + 3 * n, phone, _client()) for n in range(3)]
    assert [r.status_code for r in held] == [201] * 3
    _capped(_hold(capped.gateway_url, cabin.id, 50, phone, _client()), "phone", 3)
    await _run_out(infra, held[0].json()["code"])  # not swept yet: it no longer counts all the same
    assert _hold(capped.gateway_url, cabin.id, 50, phone, _client()).status_code == 201


def test_a_client_has_at_most_five_open_holds(capped: Stack, booking: Booking) -> None:
    cabin, client = make_cabin(booking), _client()
    held = [_hold(capped.gateway_url, cabin.id, 40 + 3 * n, _phone(), client) for n in range(5)]
    assert [r.status_code for r in held] == [201] * 5, [r.text for r in held]
    _capped(_hold(capped.gateway_url, cabin.id, 60, _phone(), client), "client", 5)
    assert _hold(capped.gateway_url, cabin.id, 60, _phone(), _client()).status_code == 201  # another client


async def _race(
    capped: Stack, booking: Booking, phone: Callable[[], str], client: Callable[[], str]
) -> list[httpx.Response]:
    """8 holds at once, each in a cabin of its own (no cabin lock or date conflict between them)."""
    cabins = [make_cabin(booking) for _ in range(8)]
    async with httpx.AsyncClient(base_url=capped.gateway_url, timeout=60) as http:
        return await asyncio.gather(
            *(
                http.post(
                    "/api/v1/reservations",
                    json=body(cabin.id, 40, 42, guest_phone=phone()),
                    headers={"X-Forwarded-For": client()},
                )
                for cabin in cabins
            )
        )


async def test_eight_racing_holds_of_one_phone_exactly_three_win(capped: Stack, booking: Booking) -> None:
    phone = _phone()
    replies = await _race(capped, booking, lambda: phone, _client)
    assert sorted(r.status_code for r in replies) == [201] * 3 + [409] * 5, [r.text for r in replies]
    for reply in replies:
        if reply.status_code == 409:
            _capped(reply, "phone", 3)


async def test_eight_racing_holds_of_one_client_exactly_five_win(capped: Stack, booking: Booking) -> None:
    client = _client()
    replies = await _race(capped, booking, _phone, lambda: client)
    assert sorted(r.status_code for r in replies) == [201] * 5 + [409] * 3, [r.text for r in replies]
    for reply in replies:
        if reply.status_code == 409:
            _capped(reply, "client", 5)


# Notifications of web holds ----------------------------------------------------------------------


async def test_a_web_guest_is_notified_only_after_writing_to_us_or_paying(
    stack: Stack, booking: Booking, infra: Infra
) -> None:
    cabin, silent, wrote = make_cabin(booking), _phone(), _phone()
    to_silent, to_wrote = silent.lstrip("+"), wrote.lstrip("+")
    assert post(stack, envelope(text(to_wrote, "hola"))).status_code == 200
    wait_for(lambda: infra.graph.to(to_wrote), what="the bot's answer")

    def web_hold(start: int, phone: str) -> str:
        reply = httpx.post(
            f"{stack.gateway_url}/api/v1/reservations", json=body(cabin.id, start, start + 2, guest_phone=phone)
        )
        assert reply.status_code == 201, reply.text
        return str(reply.json()["code"])

    def status(code: str) -> int:
        return booking.GetReservation(booking_pb2.GetReservationRequest(code=code)).reservation.status

    # Expiries in this order: the notifier takes events in order, so once the second guest has
    # been told, the first one's expiry has been handled too.
    unasked, asked = web_hold(40, silent), web_hold(43, wrote)
    await _run_out(infra, unasked)
    await asyncio.to_thread(wait_for, lambda: status(unasked) == common_pb2.RESERVATION_STATUS_EXPIRED, 30, "expiry")
    await _run_out(infra, asked)
    told = await asyncio.to_thread(
        wait_for, lambda: [m for m in infra.graph.to(to_wrote) if asked in body_of(m)], 30, "the expiry notice"
    )
    assert "venció" in body_of(told[-1])
    assert await _outbox(infra, silent) == 0 and infra.graph.to(to_silent) == []

    paid = web_hold(46, silent)
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=paid, payment_reference="paid"))
    [sent] = await asyncio.to_thread(wait_for, lambda: infra.graph.to(to_silent), 30, "the confirmation")
    assert sent["type"] == "template" and sent["template"]["name"] == "reserva_confirmada"
    assert {"type": "text", "text": paid} in sent["template"]["components"][0]["parameters"]
