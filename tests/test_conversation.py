"""Scripted conversations through the real webhook → messaging → booking (and
payments) → the Graph fake: what a guest types, what the bot answers, and what
booking holds afterwards."""

import time
import uuid
from typing import Any

import pytest

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.booking.tests.helpers import hold, make_cabin
from services.messaging.tests.test_dialog import LAGO_FAQ
from tests.stack import Infra, Stack
from tests.test_messaging import body_of, phone, post, reservations_of, say, stay_words, wait_for, word
from tests.test_payments import fake_payment, notify
from testsupport.whatsapp import choose, envelope, text

ANSWERS = LAGO_FAQ | {"payment_methods": "Con el link de Mercado Pago, o transferencia si preferís."}
# One question per answer, as guests ask them.
QUESTIONS = {
    "pets": "aceptan mascotas?",
    "wifi": "tiene wifi?",
    "parking": "hay lugar para dejar el auto?",
    "linen": "hay que llevar sabanas y toallas?",
    "grill": "tiene parrilla para un asadito?",
    "heating": "tiene calefaccion?",
    "pool": "hay pileta?",
    "children": "pueden ir chicos? vamos con un bebe",
    "directions": "como llego?",
    "distance_to_town": "que tan lejos queda del centro?",
    "house_rules": "se puede fumar?",
    "cancellation_policy": "cual es la politica de cancelacion?",
    "payment_methods": "como se paga?",
}


def cabin_with_answers(booking: booking_pb2_grpc.BookingServiceStub, **fields: Any) -> booking_pb2.Accommodation:
    return make_cabin(
        booking,
        name=f"Cabaña {word().capitalize()}",
        check_in_time="14:00",
        check_out_time="10:00",
        guest_info=booking_pb2.GuestInfo(**ANSWERS),
        location=booking_pb2.Location(address="Los Notros 120", city="Villa La Angostura"),
        **fields,
    )


class Chat:
    """One guest talking to the running bot; counts the replies so each waits for the next."""

    def __init__(self, stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub) -> None:
        self.stack, self.infra, self.booking, self.guest, self.seen = stack, infra, booking, phone(), 0

    def _send(self, message: dict[str, Any]) -> dict[str, Any]:
        reply = say(self.stack, self.infra, message, self.seen)
        self.seen += 1
        return reply

    def says(self, words: str) -> dict[str, Any]:
        return self._send(text(self.guest, words))

    def taps(self, reply_id: str, kind: str = "button_reply") -> dict[str, Any]:
        return self._send(choose(self.guest, reply_id, kind))

    def holds(self, cabin: booking_pb2.Accommodation, start: int = 70, end: int = 73) -> booking_pb2.Reservation:
        words, _, _ = stay_words(start, end)
        self.says(f"hay lugar {words} para 2?")
        held = self.taps(f"cabin:{cabin.id}", "list_reply")
        assert "Te guardé la " + cabin.name in body_of(held), body_of(held)
        return self.reservation()

    def paid(self, reservation: booking_pb2.Reservation, status: str) -> None:
        """A payment of the deposit in `status` at Mercado Pago, notified; then the bot's own
        message about it (pending, rejected, confirmed) reaches the guest first."""
        payment_id = fake_payment(self.infra, reservation.code, reservation.deposit.amount_minor, status)
        assert notify(self.stack, payment_id).status_code == 200
        self.seen += 1
        wait_for(lambda: len(self.infra.graph.to(self.guest)) >= self.seen, what=f"the {status} notice")

    def reservation(self) -> booking_pb2.Reservation:
        """The guest's newest reservation."""
        return max(reservations_of(self.booking, self.guest), key=lambda r: r.created_at.ToDatetime())


def status_of(booking: booking_pb2_grpc.BookingServiceStub, code: str) -> int:
    return booking.GetReservation(booking_pb2.GetReservationRequest(code=code)).reservation.status


def buttons_of(reply: dict[str, Any]) -> list[tuple[str, str]]:
    return [(b["reply"]["id"], b["reply"]["title"]) for b in reply["interactive"]["action"]["buttons"]]


def test_the_cancellation_question_is_answered_and_cancelling_asks_first(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = cabin_with_answers(booking)
    chat = Chat(stack, infra, booking)
    reservation = chat.holds(cabin)
    assert ANSWERS["cancellation_policy"] in body_of(chat.says("¿cuál es la política de cancelación?"))
    assert "no quiero" not in body_of(chat.says("no quiero cancelar, quiero pagar"))
    asked = chat.says("quiero cancelar la reserva")
    assert reservation.code in body_of(asked) and cabin.name in body_of(asked)
    assert buttons_of(asked) == [
        (f"confirm_cancel:{reservation.code}", "Sí, cancelar"),
        (f"keep:{reservation.code}", "No"),
    ]
    assert "sigue en pie" in body_of(chat.taps(f"keep:{reservation.code}"))
    assert status_of(booking, reservation.code) == common_pb2.RESERVATION_STATUS_PRE_RESERVED
    chat.says("cancelala")
    assert reservation.code in body_of(chat.says("sí"))
    assert status_of(booking, reservation.code) == common_pb2.RESERVATION_STATUS_CANCELLED


def test_changing_the_dates_releases_the_hold(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = cabin_with_answers(booking)
    chat = Chat(stack, infra, booking)
    first = chat.holds(cabin)
    assert first.code in body_of(chat.says("quiero cambiar las fechas"))
    assert status_of(booking, first.code) == common_pb2.RESERVATION_STATUS_CANCELLED
    words, _, _ = stay_words(80, 82)
    chat.says(words)
    chat.taps(f"cabin:{cabin.id}", "list_reply")
    second = chat.reservation()
    assert second.code != first.code and second.status == common_pb2.RESERVATION_STATUS_PRE_RESERVED


def test_typing_the_cabin_after_the_list_holds_it(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = cabin_with_answers(booking)
    chat = Chat(stack, infra, booking)
    words, _, _ = stay_words(90, 93)
    chat.says(f"hay lugar {words} para 2?")
    held = chat.says(f"dale la {cabin.name.split()[-1].lower()}")
    assert "Te guardé la " + cabin.name in body_of(held)
    assert chat.reservation().accommodation_id == cabin.id


def test_yes_after_a_yes_no_question(stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub) -> None:
    cabin = cabin_with_answers(booking)
    chat = Chat(stack, infra, booking)
    assert body_of(chat.says(f"la cabaña {cabin.name.split()[-1]} tiene wifi?")).endswith(
        "¿Querés que te pase disponibilidad?"
    )
    assert "¿Para qué fechas?" in body_of(chat.says("dale"))
    words, check_in, check_out = stay_words(100, 103)
    chat.says(f"{words} para 2")
    hold(booking, cabin.id, check_in, check_out, key=uuid.uuid4().hex)  # someone else is quicker
    assert body_of(chat.taps(f"cabin:{cabin.id}", "list_reply")).endswith("¿Querés ver otras opciones?")
    again = chat.says("si")
    rows = [r["id"] for r in again["interactive"]["action"]["sections"][0]["rows"]]
    assert f"cabin:{cabin.id}" not in rows and rows


@pytest.mark.parametrize("topic", sorted(QUESTIONS))
def test_each_question_is_answered_from_the_cabin(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub, topic: str
) -> None:
    cabin = cabin_with_answers(booking)
    chat = Chat(stack, infra, booking)
    chat.holds(cabin, 110, 112)
    assert ANSWERS[topic] in body_of(chat.says(QUESTIONS[topic]))


def test_a_question_nobody_answered_goes_to_a_person(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = make_cabin(booking, name=f"Cabaña {word().capitalize()}")  # no answers written
    chat = Chat(stack, infra, booking)
    chat.holds(cabin, 120, 122)
    assert "le paso tu pregunta" in body_of(chat.says("aceptan mascotas?"))
    post(stack, envelope(text(chat.guest, "hola?")))  # a person answers now: the bot keeps quiet
    time.sleep(1.5)
    assert len(infra.graph.to(chat.guest)) == chat.seen


def test_already_paid_in_each_payment_state(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    """Nothing yet, in process, rejected, approved: through Mercado Pago's fake and payments."""
    cabin = cabin_with_answers(booking)
    chat = Chat(stack, infra, booking)
    reservation = chat.holds(cabin, 130, 133)
    nothing = body_of(chat.says("ya pagué"))
    assert "Todavía no me figura ningún pago" in nothing and "http" in nothing
    for status, answer in (
        ("in_process", "todavía en proceso"),
        ("rejected", "figura rechazado"),
        ("approved", "¡Sí! Ya me figura"),
    ):
        chat.paid(reservation, status)
        assert answer in body_of(chat.says("te transferí recién, ya está?")), status
    assert status_of(booking, reservation.code) == common_pb2.RESERVATION_STATUS_CONFIRMED


def test_a_long_message_with_every_fact(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = cabin_with_answers(booking, capacity=6)
    chat = Chat(stack, infra, booking)
    words, _, _ = stay_words(140, 143)
    reply = chat.says(
        f"Hola! Somos una familia, mi marido y yo con los 3 chicos. Queríamos ir a la cabaña "
        f"{cabin.name.split()[-1]} {words}. ¿Aceptan perros? ¿Y tiene wifi?"
    )
    body = body_of(reply)
    assert ANSWERS["pets"] in body and ANSWERS["wifi"] in body
    assert "(3 noches, 5 personas)" in body


def test_a_stay_too_big_keeps_the_dates_and_says_why(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin_with_answers(booking)
    chat = Chat(stack, infra, booking)
    words, _, _ = stay_words(150, 152)
    assert "no tengo cabaña: la más grande es para" in body_of(chat.says(f"{words} somos 45"))
    assert "(2 noches, 2 personas) tengo libres" in body_of(chat.says("somos 2"))
