"""The money in a WhatsApp conversation, through the real webhook → messaging → booking and
payments → the Graph fake, paying at Mercado Pago's fake: the cabin's cancellation policy in the
hold message and in the bot's answers, what cancelling gives back told before the yes, the
refund on its way after it and its message once Mercado Pago gave it back, and what is left to
pay after the deposit."""

import re

import httpx

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.booking.tests.helpers import make_cabin
from services.common.cancellation import Rule, describe
from services.messaging import templates as t
from tests.stack import Infra, Stack
from tests.test_conversation import ANSWERS, Chat, cabin_with_answers, status_of
from tests.test_messaging import body_of, stay_words, wait_for, word

# 70 days before check-in (the stays below) gives back half.
RULES = (Rule(90, 100), Rule(30, 50), Rule(0, 0))


def cabin_with_rules(booking: booking_pb2_grpc.BookingServiceStub) -> booking_pb2.Accommodation:
    """A cabin whose owner set refund rules and wrote no policy of their own."""
    rules = [booking_pb2.CancellationRule(days_before=r.days_before, percent=r.percent) for r in RULES]
    return make_cabin(booking, name=f"Cabaña {word().capitalize()}", cancellation_rules=rules)


def held(chat: Chat, cabin: booking_pb2.Accommodation, start: int, end: int) -> tuple[str, str]:
    """The hold message's text and its payment link."""
    words, _, _ = stay_words(start, end)
    chat.says(f"hay lugar {words} para 2?")
    body = body_of(chat.taps(f"cabin:{cabin.id}", "list_reply"))
    link = re.search(r"Pagá la seña acá: (\S+)", body)
    assert link, body
    return body, link.group(1)


def pay(chat: Chat, link: str) -> None:
    """The guest pays at Mercado Pago's checkout; the confirmation reaches them first."""
    assert "Pago aprobado" in httpx.post(f"{link}/pay", timeout=30).text
    chat.seen += 1
    confirmed = wait_for(lambda: chat.infra.graph.to(chat.guest)[chat.seen - 1 :], what="the confirmation")
    assert "está confirmada" in body_of(confirmed[0]), confirmed


def test_the_policy_before_paying_then_the_refund_told_and_given_back(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = cabin_with_rules(booking)
    chat = Chat(stack, infra, booking)
    body, link = held(chat, cabin, 70, 73)
    assert body.endswith("\n" + describe(RULES)), body
    for question in ("¿y si cancelo?", "¿me devuelven la plata?"):
        assert describe(RULES) in body_of(chat.says(question))
    reservation = chat.reservation()
    pay(chat, link)
    deposit, total = reservation.deposit.amount_minor, reservation.total.amount_minor
    assert f"Te falta pagar {t.money(total - deposit)}" in body_of(chat.says("¿cuánto me falta?"))

    refund = t.money(deposit // 2)
    asked = body_of(chat.says("quiero cancelar la reserva"))
    assert asked.endswith(f"\nSi cancelás hoy te devolvemos {refund} (el 50 % de lo que pagaste)."), asked
    done = body_of(chat.taps(f"confirm_cancel:{reservation.code}"))
    assert done.endswith("\n" + t.REFUND_ON_ITS_WAY.format(refund=refund)), done
    assert status_of(booking, reservation.code) == common_pb2.RESERVATION_STATUS_CANCELLED

    told = t.REFUNDED.format(amount=refund, code=reservation.code)
    wait_for(
        lambda: [m for m in infra.graph.to(chat.guest)[chat.seen :] if body_of(m) == told], 40, "the refund message"
    )


def test_a_hold_never_paid_has_nothing_to_give_back(
    stack: Stack, infra: Infra, booking: booking_pb2_grpc.BookingServiceStub
) -> None:
    cabin = cabin_with_answers(booking)  # its owner wrote the policy: the bot says it as written
    chat = Chat(stack, infra, booking)
    reservation = chat.holds(cabin, 160, 162)
    assert ANSWERS["cancellation_policy"] in body_of(chat.says("política de cancelación"))
    asked = body_of(chat.says("quiero cancelar"))
    assert asked.endswith("\n" + t.NOTHING_PAID), asked
    done = body_of(chat.says("sí"))
    assert done.startswith(f"Listo, cancelé la reserva {reservation.code}") and "devolvemos" not in done
    assert status_of(booking, reservation.code) == common_pb2.RESERVATION_STATUS_CANCELLED
