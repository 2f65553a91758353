"""The guest's journey through the running system: a guest books on WhatsApp for tomorrow and
pays at Mercado Pago's fake, and the confirmation, the balance's link and the check-in
instructions (in the cabin's owner's words) reach the Graph fake at once; the owner moves the
dates and then cancels, and the guest is told each time and gets no reminder after; a phone
booking with an e-mail gets the confirmation and the cancellation at the session's SMTP server
with the stay's .ics; "no me escriban más" is recorded and honoured."""

import asyncio
import email.message
import uuid
from collections.abc import Iterator

import asyncpg
import grpc
import httpx
import icalendar
import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2, messaging_pb2, messaging_pb2_grpc
from services.booking.tests.helpers import day, make_cabin, stay
from services.messaging import templates as t
from tests.stack import Infra, Stack
from tests.test_conversation import Chat
from tests.test_messaging import body_of, wait_for
from tests.test_payments import checkout

WORDS = booking_pb2.GuestMessages(
    keys="La llave está en la caja con candado de la puerta, código 4321.",
    arrival_note="Hay leña en el galpón del fondo.",
    review_url="https://g.page/r/cabana-review",
    confirmed_note="Cualquier cosa, escribime a este número.",
)


@pytest.fixture(scope="module")
def messaging(stack: Stack) -> Iterator[messaging_pb2_grpc.MessagingServiceStub]:
    with grpc.insecure_channel(stack.addr("messaging")) as channel:
        yield messaging_pb2_grpc.MessagingServiceStub(channel)


def _cabin(booking: booking_pb2_grpc.BookingServiceStub) -> booking_pb2.Accommodation:
    return make_cabin(
        booking,
        name=f"Cabaña Journey {uuid.uuid4().hex[:6]}",
        check_in_time="15:00",
        check_out_time="10:00",
        location=booking_pb2.Location(
            address="Ruta 40 km 12", city="Villa La Angostura", maps_url="https://maps.example/j"
        ),
        guest_info=booking_pb2.GuestInfo(wifi="Red Journey, clave pinos.", house_rules="No se fuma adentro."),
        guest_messages=WORDS,
    )


def _said(infra: Infra, chat: Chat) -> list[str]:
    return [body_of(m) for m in infra.graph.to(chat.guest)]


def _waits_for(infra: Infra, chat: Chat, start: str, what: str) -> str:
    return str(
        wait_for(lambda: next((s for s in _said(infra, chat) if s.startswith(start)), None), 30, what)  # type: ignore[arg-type]
    )


def test_booked_for_tomorrow_then_moved_then_cancelled_by_the_owner(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = _cabin(booking)
    chat = Chat(stack, infra, booking)
    reservation = chat.holds(cabin, 1, 3)
    chat.paid(reservation, "approved")
    name = reservation.guest.name.split(" ")[0]
    confirmed = _waits_for(infra, chat, f"¡Listo, {name}! Tu reserva", "the confirmation")
    assert "está confirmada" in confirmed and confirmed.endswith("\n" + WORDS.confirmed_note), confirmed
    instructions = _waits_for(infra, chat, f"¡Hola, {name}! Te esperamos", "the check-in instructions")
    for part in (
        "Dirección: Ruta 40 km 12, Villa La Angostura",
        "Mapa: https://maps.example/j",
        "El check-in es desde las 15:00.",
        f"Las llaves: {WORDS.keys}",
        "Wifi: Red Journey, clave pinos.",
        "Reglas de la casa: No se fuma adentro.",
        WORDS.arrival_note,
    ):
        assert part in instructions.split("\n"), (part, instructions)
    balance = _waits_for(infra, chat, f"Hola, {name}. Falta 1 día para tu llegada", "the balance's link")
    assert "Te falta pagar" in balance and "http" in balance.split("\n")[-1], balance
    said = _said(infra, chat)
    assert said.index(confirmed) < said.index(instructions)  # confirmed first

    booking.ChangeDates(
        booking_pb2.ChangeDatesRequest(code=reservation.code, stay=stay(day(40), day(43)), actor="user:1")
    )
    moved = _waits_for(infra, chat, f"Hola, {name}. Cambiamos las fechas", "the new dates")
    assert t.stay(day(40), day(43)) in moved and "El total queda en $" in moved, moved
    booking.CancelReservation(
        booking_pb2.CancelReservationRequest(
            code=reservation.code,
            reason="Se rompió el calefón",
            actor="user:1",
            refund_mode=booking_pb2.REFUND_MODE_FULL,
        )
    )
    cancelled = _waits_for(infra, chat, f"Hola, {name}. Tuvimos que cancelar", "the cancellation")
    assert reservation.code in cancelled and "devol" in cancelled, cancelled
    assert sum(s.startswith(f"¡Hola, {name}! Te esperamos") for s in _said(infra, chat)) == 1  # once


def _stay_of(message: email.message.EmailMessage) -> icalendar.cal.Component:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [event] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return event


def test_a_phone_booking_with_an_e_mail_gets_the_stay_by_e_mail(
    infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = _cabin(booking)
    address = f"huesped-{uuid.uuid4().hex[:8]}@example.com"
    made = booking.CreateManualReservation(
        booking_pb2.CreateManualReservationRequest(
            accommodation_id=cabin.id,
            stay=stay(day(60), day(62)),
            guests=2,
            guest=booking_pb2.Guest(name="Ana Pérez", phone="+5491100000001", email=address),
            actor="user:1",
            idempotency_key=uuid.uuid4().hex,
        )
    )
    [confirmed] = wait_for(lambda: infra.smtp.to(address), 30, "the confirmation e-mail")
    assert (
        made.code in str(confirmed["Subject"]) and WORDS.confirmed_note in confirmed.get_body(("plain",)).get_content()
    )
    event = _stay_of(confirmed)
    assert (event["STATUS"], event.decoded("DTSTART").hour) == ("CONFIRMED", 15)
    booking.CancelReservation(booking_pb2.CancelReservationRequest(code=made.code, reason="No viene", actor="user:1"))
    cancelled = wait_for(lambda: infra.smtp.to(address)[1:], 30, "the cancellation e-mail")[0]
    again = _stay_of(cancelled)
    assert (again["UID"], again["STATUS"]) == (event["UID"], "CANCELLED") and again.decoded("SEQUENCE") > event.decoded(
        "SEQUENCE"
    )
    status = booking.GetReservation(booking_pb2.GetReservationRequest(code=made.code)).reservation.status
    assert status == common_pb2.RESERVATION_STATUS_CANCELLED


async def _told_everything(infra: Infra) -> bool:
    """Whether the notifier has read booking's events up to the last one."""
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        last = await conn.fetchval("SELECT max(id) FROM booking.outbox")
        told = await conn.fetchval("SELECT after_id FROM messaging.cursors WHERE stream = 'booking'")
    finally:
        await conn.close()
    return bool(told is not None and told >= last)


def test_no_me_escriban_mas_is_recorded_and_honoured(
    stack: Stack,
    infra: Infra,
    booking: booking_pb2_grpc.BookingServiceStub,
    messaging: messaging_pb2_grpc.MessagingServiceStub,
) -> None:
    cabin = _cabin(booking)
    chat = Chat(stack, infra, booking)
    reservation = chat.holds(cabin, 90, 92)
    assert body_of(chat.says("No me escriban más")) == t.OPTED_OUT
    conversation = messaging.GetConversation(messaging_pb2.GetConversationRequest(phone=chat.guest))
    assert conversation.opted_out
    booking.ChangeDates(
        booking_pb2.ChangeDatesRequest(code=reservation.code, stay=stay(day(95), day(97)), actor="user:1")
    )
    wait_for(lambda: asyncio.run(_told_everything(infra)), 30, "the notifier to read the new dates")
    assert "Red Journey" in body_of(chat.says("¿tienen wifi?"))  # their own messages are answered
    assert not any("Cambiamos las fechas" in s for s in _said(infra, chat))
    assert body_of(chat.says("alta")) == t.OPTED_IN
    assert not messaging.GetConversation(messaging_pb2.GetConversationRequest(phone=chat.guest)).opted_out


def test_a_guest_who_cancels_a_paid_stay_is_told_what_goes_back_and_when_it_went(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    """Money and messages together: booked on the web with an e-mail, paid at Mercado Pago's fake,
    cancelled with the manage token 40 days ahead (the default policy: everything back)."""
    cabin = _cabin(booking)
    address = f"web-{uuid.uuid4().hex[:8]}@example.com"
    held = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations",
        json={
            "accommodation_id": cabin.id,
            "check_in": day(40).isoformat(),
            "check_out": day(42).isoformat(),
            "guests": 2,
            "guest_name": "Ana Pérez",
            "guest_phone": "+5491155550000",
            "guest_email": address,
        },
    ).json()
    assert httpx.post(f"{checkout(held)}/pay").status_code == 200
    wait_for(lambda: infra.smtp.to(address), 30, "the confirmation e-mail")
    cancelled = httpx.post(
        f"{stack.gateway_url}/api/v1/reservations/{held['code']}/cancel",
        headers={"X-Manage-Token": held["manage_token"]},
    )
    assert cancelled.status_code == 200, cancelled.text
    deposit = t.money(held["deposit"], "ARS")
    mails = wait_for(lambda: len(found := infra.smtp.to(address)) >= 3 and found, 30, "the cancellation and refund")
    texts = {str(m["Subject"]): m.get_body(("plain",)).get_content() for m in mails}
    said = texts[f"Tu reserva {held['code']} quedó cancelada"]
    assert f"Listo, Ana: cancelamos tu reserva {held['code']}" in said
    # What goes back, when payments had asked it by then; else that it is told when it goes.
    assert f"Te devolvemos {deposit}" in said or t.STAY_REFUND_LATER in said
    assert f"Te devolvimos {deposit}" in texts[f"La devolución de tu reserva {held['code']}"]
