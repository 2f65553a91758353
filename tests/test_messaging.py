"""The WhatsApp bot end to end: signed webhooks in, replies out through a local
fake of the Graph API, booking and payments for real."""

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import asyncpg
import grpc
import httpx
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from gateway.signatures import whatsapp_signature
from services.booking.tests.helpers import make_cabin
from services.common import pb
from services.messaging import templates as t
from tests.stack import WHATSAPP_SECRET, WHATSAPP_VERIFY, Infra, Stack, admin_token
from testsupport.whatsapp import choose, envelope, text

MONTH_NAMES = t.MONTH_NAMES


def wait_for(check: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return result


def word() -> str:
    """A made-up word no other cabin has (letters only: a token with digits reads as a code)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:7])


def phone() -> str:
    return "549" + str(uuid.uuid4().int)[:10]


def post(stack: Stack, raw: bytes, signature: str | None = "valid") -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers["X-Hub-Signature-256"] = whatsapp_signature(WHATSAPP_SECRET, raw)
    elif signature:
        headers["X-Hub-Signature-256"] = signature
    return httpx.post(f"{stack.gateway_url}/api/v1/webhooks/whatsapp", content=raw, headers=headers)


def say(stack: Stack, infra: Infra, message: dict[str, Any], replies_before: int) -> dict[str, Any]:
    """Send one guest message and wait for the bot's next reply."""
    assert post(stack, envelope(message)).status_code == 200
    replies = wait_for(
        lambda: len(infra.graph.to(message["from"])) > replies_before and infra.graph.to(message["from"]),
        what="a reply",
    )
    return replies[replies_before]


def body_of(reply: dict[str, Any]) -> str:
    return reply["text"]["body"] if reply["type"] == "text" else reply["interactive"]["body"]["text"]


def stay_words(start: int, end: int) -> tuple[str, date, date]:
    check_in, check_out = date.today() + timedelta(days=start), date.today() + timedelta(days=end)
    if check_in.month == check_out.month:
        words = f"del {check_in.day} al {check_out.day} de {MONTH_NAMES[check_in.month - 1]}"
    else:
        words = f"del {check_in.day} de {MONTH_NAMES[check_in.month - 1]} al {check_out.day} de {MONTH_NAMES[check_out.month - 1]}"
    return words, check_in, check_out


def reservations_of(booking: booking_pb2_grpc.BookingServiceStub, guest: str) -> list[booking_pb2.Reservation]:
    return list(booking.ListReservations(booking_pb2.ListReservationsRequest(guest_phone=f"+{guest}")).reservations)


def test_verification_handshake(stack: Stack) -> None:
    url = f"{stack.gateway_url}/api/v1/webhooks/whatsapp"
    ok = httpx.get(
        url, params={"hub.mode": "subscribe", "hub.verify_token": WHATSAPP_VERIFY, "hub.challenge": "1158201444"}
    )
    assert ok.status_code == 200 and ok.text == "1158201444" and ok.headers["content-type"].startswith("text/plain")
    assert (
        httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}).status_code
        == 403
    )
    assert httpx.get(url, params={"hub.mode": "unsubscribe", "hub.verify_token": WHATSAPP_VERIFY}).status_code == 403


async def test_bad_signatures_store_nothing(stack: Stack, infra: Infra) -> None:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM messaging.inbox")
        raw = envelope(text(phone(), "hola"))
        assert (await asyncio.to_thread(post, stack, raw, None)).status_code == 403
        assert (await asyncio.to_thread(post, stack, raw, "sha256=" + "0" * 64)).status_code == 403
        tampered = raw.replace(b"hola", b"hole")
        assert (
            await asyncio.to_thread(post, stack, tampered, whatsapp_signature(WHATSAPP_SECRET, raw))
        ).status_code == 403
        big = envelope(text(phone(), "x" * (1024 * 1024)))
        assert (await asyncio.to_thread(post, stack, big)).status_code == 413
        assert await conn.fetchval("SELECT count(*) FROM messaging.inbox") == before
    finally:
        await conn.close()


def test_from_hola_to_a_hold_with_lists_and_buttons(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking, capacity=4)
    guest = phone()
    welcome = say(stack, infra, text(guest, "Hola"), 0)
    assert "Ana" in body_of(welcome)
    words, check_in, check_out = stay_words(45, 48)
    assert "personas" in body_of(say(stack, infra, text(guest, f"tienen lugar {words}?"), 1))
    offers = say(stack, infra, text(guest, "somos 2"), 2)
    assert offers["type"] == "interactive" and offers["interactive"]["type"] == "list"
    rows = offers["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) <= 10 and all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
    held = say(stack, infra, choose(guest, f"cabin:{cabin.id}"), 3)
    assert held["interactive"]["type"] == "button"
    buttons = held["interactive"]["action"]["buttons"]
    assert [b["reply"]["title"] for b in buttons] == ["Pagar", "Cambiar fechas", "Cancelar"]
    assert "seña" in body_of(held) and "http" in body_of(held)
    [reservation] = reservations_of(booking, guest)
    assert reservation.accommodation_id == cabin.id and reservation.guests == 2
    assert (reservation.stay.start.day, reservation.stay.end.day) == (check_in.day, check_out.day)
    pay = say(stack, infra, choose(guest, buttons[0]["reply"]["id"], "button_reply"), 4)
    assert "http" in body_of(pay)
    asked = say(stack, infra, choose(guest, buttons[2]["reply"]["id"], "button_reply"), 5)
    assert reservation.code in body_of(asked)  # asked first: "¿Cancelo la reserva …?"
    status = booking.GetReservation(booking_pb2.GetReservationRequest(code=reservation.code)).reservation.status
    assert status == common_pb2.RESERVATION_STATUS_PRE_RESERVED
    [yes, _no] = asked["interactive"]["action"]["buttons"]
    cancelled = say(stack, infra, choose(guest, yes["reply"]["id"], "button_reply"), 6)
    assert reservation.code in body_of(cancelled)
    status = booking.GetReservation(booking_pb2.GetReservationRequest(code=reservation.code)).reservation.status
    assert status == common_pb2.RESERVATION_STATUS_CANCELLED


def test_from_hola_to_a_hold_by_free_text(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    distinct = word()
    cabin = make_cabin(booking, capacity=4, name=f"Cabaña Arrayán {distinct}")
    guest = phone()
    say(stack, infra, text(guest, "Buenas tardes!"), 0)
    words, _, _ = stay_words(50, 52)
    held = say(stack, infra, text(guest, f"quiero reservar la cabaña arrayan {distinct} {words} para 3"), 1)
    assert "Te guardé" in body_of(held) and cabin.name in body_of(held)
    [reservation] = reservations_of(booking, guest)
    assert reservation.accommodation_id == cabin.id and reservation.guests == 3
    mine = say(stack, infra, text(guest, "mis reservas"), 2)
    assert reservation.code in body_of(mine)


def test_duplicate_delivery_gets_one_reply(stack: Stack, infra: Infra) -> None:
    guest = phone()
    raw = envelope(text(guest, "hola", wamid=f"wamid.dup.{uuid.uuid4().hex}"))
    for _ in range(3):
        assert post(stack, raw).status_code == 200
    wait_for(lambda: infra.graph.to(guest), what="the reply")
    time.sleep(1.5)
    assert len(infra.graph.to(guest)) == 1


def test_twenty_guests_at_once_each_in_order(stack: Stack, infra: Infra) -> None:
    guests = [phone() for _ in range(20)]
    script = ["hola", "ayuda", "gracias"]

    async def guest_session(g: str) -> None:
        async with httpx.AsyncClient() as client:
            for line in script:
                raw = envelope(text(g, line))
                headers = {
                    "X-Hub-Signature-256": whatsapp_signature(WHATSAPP_SECRET, raw),
                    "Content-Type": "application/json",
                }
                assert (
                    await client.post(f"{stack.gateway_url}/api/v1/webhooks/whatsapp", content=raw, headers=headers)
                ).status_code == 200

    async def everyone() -> None:
        await asyncio.gather(*(guest_session(g) for g in guests))

    asyncio.run(everyone())
    for g in guests:
        replies = wait_for(
            lambda g=g: len(infra.graph.to(g)) >= 3 and infra.graph.to(g), timeout=60, what=f"{g}'s replies"
        )
        bodies = [body_of(r) for r in replies]
        assert (
            bodies[0].startswith("¡Hola")
            and bodies[1].startswith("Puedo mostrarte")
            and bodies[2].startswith("¡Gracias")
        )


def test_rate_limited_send_is_retried_and_delivered_once(stack: Stack, infra: Infra) -> None:
    guest = phone()
    infra.graph.failures.append((429, 0))
    say(stack, infra, text(guest, "hola"), 0)
    time.sleep(1)
    assert len(infra.graph.to(guest)) == 1


def test_unsupported_types_get_a_polite_reply(stack: Stack, infra: Infra) -> None:
    guest = phone()
    sticker = {
        "from": guest,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "sticker",
        "sticker": {"id": "1"},
    }
    assert "escribís" in body_of(say(stack, infra, sticker, 0))


def test_handoff_silences_the_bot_until_released(stack: Stack, infra: Infra) -> None:
    guest = phone()
    assert "persona" in body_of(say(stack, infra, text(guest, "quiero hablar con una persona"), 0))
    post(stack, envelope(text(guest, "hola?")))
    time.sleep(1.5)
    assert len(infra.graph.to(guest)) == 1
    auth = {"Authorization": f"Bearer {admin_token()}"}
    released = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/conversations/{guest}/handoff", json={"active": False}, headers=auth
    )
    assert released.json() == {"phone": guest, "handoff": False}
    say(stack, infra, text(guest, "hola"), 1)


def test_admin_nlu_parse(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {admin_token()}"}

    def parse(text: str, **context: str) -> object:
        body = {"text": text, "today": "2026-12-02", **context}
        return httpx.post(f"{stack.gateway_url}/api/v1/admin/nlu/parse", json=body, headers=auth).json()

    assert parse("hay lugar del 15 al 18 de diciembre para cuatro?", today="2026-11-23") == {
        "intent": "availability",
        "check_in": "2026-12-15",
        "check_out": "2026-12-18",
        "nights": 3,
        "guests": 4,
        "question": True,
    }
    # Everything the dialog reads: a check-out alone after "¿cuántas noches?", a correction, a month
    # without days, babies and pets apart, the topics asked, a refused request, the new intents.
    assert parse("hasta el 2", expecting="nights", stay_start="2026-12-28") == {
        "intent": "availability",
        "check_out": "2027-01-02",
    }
    assert parse("no, el 7 no, el 8") == {"intent": "availability", "check_in": "2026-12-08", "rejected": "2026-12-07"}
    assert parse("somos 2 y un bebé y llevamos 2 perros, ¿tienen cuna? nos vemos en marzo") == {
        "intent": "availability",
        "guests": 3,
        "babies": 1,
        "pets": 2,
        "month": 3,
        "topics": ["pets", "children"],
        "question": True,
    }
    assert parse("no, no la canceles") == {"intent": "cancel", "negated": True}
    assert parse("¿se puede cancelar si llueve?") == {
        "intent": "info",
        "topics": ["cancellation_policy"],
        "question": True,
    }
    assert parse("dale", expecting="yes_no") == {"intent": "affirm"}
    assert parse("mejor no", expecting="yes_no") == {"intent": "deny"}
    assert parse("ya pagué") == {"intent": "paid"}
    assert parse("quiero cambiar las fechas") == {"intent": "change_dates"}
    wrong = {"text": "dale", "expecting": "maybe"}
    assert httpx.post(f"{stack.gateway_url}/api/v1/admin/nlu/parse", json=wrong, headers=auth).status_code == 422
    assert httpx.post(f"{stack.gateway_url}/api/v1/admin/nlu/parse", json={"text": "hola"}).status_code == 401


def test_bad_input_is_refused_with_its_reason(stack: Stack) -> None:
    from cabanas.v1 import messaging_pb2, messaging_pb2_grpc
    from services.common.grpc_clients import error_info

    with grpc.insecure_channel(stack.addr("messaging")) as channel:
        messaging = messaging_pb2_grpc.MessagingServiceStub(channel)
        with pytest.raises(grpc.RpcError) as not_json:
            messaging.HandleWhatsAppWebhook(messaging_pb2.HandleWhatsAppWebhookRequest(payload=b"{not json"))
        with pytest.raises(grpc.RpcError) as not_a_day:
            messaging.ParseText(
                messaging_pb2.ParseTextRequest(text="hola", today=common_pb2.Date(year=2026, month=2, day=30))
            )
    for failed, reason in ((not_json.value, "INVALID_PAYLOAD"), (not_a_day.value, "INVALID_DATE")):
        assert isinstance(failed, grpc.Call) and failed.code() == grpc.StatusCode.INVALID_ARGUMENT
        info = error_info(failed)
        assert info is not None and info.reason == reason


def _restart_messaging(stack: Stack) -> None:
    from devtools.devstack import spawn, stop_children, wait_serving

    stop_children({"messaging": stack.processes["messaging"]})
    stack.processes["messaging"] = spawn("services.messaging", stack.env, stack.log("messaging"))
    wait_serving("messaging", stack.addr("messaging"), stack.processes["messaging"])


def test_booking_events_notify_once_even_after_a_restart(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    guest = phone()
    say(stack, infra, text(guest, "hola"), 0)  # opens the 24-hour window

    def hold(start: int) -> str:
        return booking.PreReserve(
            booking_pb2.PreReserveRequest(
                accommodation_id=cabin.id,
                stay=pb.range_pb(date.today() + timedelta(days=start), date.today() + timedelta(days=start + 2)),
                guests=2,
                guest=booking_pb2.Guest(name="Ana Pérez", phone=f"+{guest}"),
                channel=common_pb2.CHANNEL_WHATSAPP,
            )
        ).reservation.code

    first = hold(40)
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=first, payment_reference="test"))
    confirmed = wait_for(lambda: len(infra.graph.to(guest)) >= 2 and infra.graph.to(guest), what="confirmation")
    assert first in body_of(confirmed[1]) and "confirmada" in body_of(confirmed[1])

    _restart_messaging(stack)  # replays from its cursor: nothing twice
    second = hold(50)
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=second, payment_reference="test"))
    replies = wait_for(lambda: len(infra.graph.to(guest)) >= 3 and infra.graph.to(guest), what="second confirmation")
    time.sleep(1.5)
    bodies = [body_of(r) for r in infra.graph.to(guest)]
    assert sum(first in b for b in bodies) == 1 and sum(second in b for b in bodies) == 1
    assert replies[2]["type"] == "text"


def test_outside_the_24_hour_window_a_template_goes(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking)
    guest = phone()  # never wrote: no window open
    code = booking.PreReserve(
        booking_pb2.PreReserveRequest(
            accommodation_id=cabin.id,
            stay=pb.range_pb(date.today() + timedelta(days=40), date.today() + timedelta(days=42)),
            guests=2,
            guest=booking_pb2.Guest(name="Ana", phone=f"+{guest}"),
            channel=common_pb2.CHANNEL_WHATSAPP,
        )
    ).reservation.code
    booking.ConfirmReservation(booking_pb2.ConfirmReservationRequest(code=code, payment_reference="test"))
    [sent] = wait_for(lambda: infra.graph.to(guest), what="template")
    assert sent["type"] == "template" and sent["template"]["name"] == "reserva_confirmada"
    assert {"type": "text", "text": code} in sent["template"]["components"][0]["parameters"]


def voice(sender: str, media_id: str, data: bytes) -> dict[str, Any]:
    import hashlib

    return {
        "from": sender,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "audio",
        "audio": {
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": hashlib.sha256(data).hexdigest(),
            "id": media_id,
            "voice": True,
        },
    }


def test_voice_note_is_answered_like_the_same_text(stack: Stack, infra: Infra) -> None:
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[1] / "services" / "speech" / "tests" / "fixtures"
    note = (fixtures / "reserva.ogg").read_bytes()  # "Quiero reservar para el próximo fin de semana, somos tres."
    infra.graph.media["1037543291543636"] = note
    speaker, typist = phone(), phone()
    spoken = say(stack, infra, voice(speaker, "1037543291543636", note), 0)
    typed = say(stack, infra, text(typist, "Quiero reservar para el próximo fin de semana, somos tres."), 0)
    heard, _, rest = body_of(spoken).partition("\n")
    assert heard.startswith("🎤 Entendí:") and "reservar" in heard
    assert spoken["type"] == typed["type"] and rest == body_of(typed)
    if typed["type"] == "interactive":
        assert spoken["interactive"]["action"] == typed["interactive"]["action"]


def test_noise_asks_the_guest_to_write(stack: Stack, infra: Infra) -> None:
    from pathlib import Path

    noise = (
        Path(__file__).resolve().parents[1] / "services" / "speech" / "tests" / "fixtures" / "ruido.ogg"
    ).read_bytes()
    infra.graph.media["2000000000000001"] = noise
    guest = phone()
    assert "escribís" in body_of(say(stack, infra, voice(guest, "2000000000000001", noise), 0))
    assert "escribís" in body_of(
        say(stack, infra, voice(guest, "9999", b"missing media"), 1)
    )  # fetch fails: same fallback
