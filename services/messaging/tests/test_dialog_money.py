"""The money in the conversation: the cancellation policy before paying, what cancelling now gives
back, the refund on its way, and what is left to pay after the deposit; over the in-memory
booking and payments of test_dialog (a balance missing there is payments not answering)."""

from dataclasses import replace

import pytest

from services.common.cancellation import DEFAULT_POLICY, Rule, describe
from services.messaging import templates as t
from services.messaging.interactive import Outgoing, choices_of
from services.messaging.ports import Balance
from services.messaging.tests.test_dialog import BOSQUE, LAGO_FAQ, NIGHTLY_MINOR, FakeBackend, Guest, only

STRICT = (Rule(30, 100), Rule(0, 0))
DEPOSIT = 3 * NIGHTLY_MINOR // 2  # what the fake's holds ask for: $75.000


def paid(refund: int, percent: int, days: int = 20, amount: int = DEPOSIT) -> Balance:
    """Deposit paid; cancelling now gives back `refund`."""
    return Balance(amount, 3 * NIGHTLY_MINOR - amount, "ARS", "", refund, percent, days)


def body(out: Outgoing) -> str:
    """The text of a message with buttons, without them."""
    return str(out.body["interactive"]["body"]["text"])


# Before paying.


async def test_the_hold_message_ends_with_the_reservations_policy() -> None:
    backend = FakeBackend()
    backend.rules = STRICT
    guest = Guest(backend)
    await guest.says("hay lugar del 15 al 18 de diciembre para 4?")
    assert body(only(await guest.taps("cabin:1"))).split("\n")[-2:] == [
        "La reserva queda en espera hasta las 18:30.",
        "Si cancelás con 30 días o más de anticipación te devolvemos el 100 % de lo que pagaste; con menos de 30 días, nada.",
    ]


async def test_without_a_copy_on_the_reservation_the_cabins_rules_and_else_the_default() -> None:
    backend = FakeBackend()
    backend.cabin_list = [replace(BOSQUE, cancellation_rules=STRICT), replace(BOSQUE, id=3, slug="otro", name="Otro")]
    guest = Guest(backend)
    await guest.says("hay lugar del 15 al 18 de diciembre para 4?")
    assert body(only(await guest.taps("cabin:2"))).endswith("\n" + describe(STRICT))
    await guest.says("hay lugar del 20 al 23 de enero para 2?")
    assert body(only(await guest.taps("cabin:3"))).endswith("\n" + describe(DEFAULT_POLICY))


@pytest.mark.parametrize("question", ["¿y si cancelo?", "¿me devuelven la plata?", "política de cancelación"])
async def test_a_cancellation_question_gets_the_owners_words_else_the_rules(question: str) -> None:
    backend = FakeBackend()
    backend.cabin_list[1] = replace(BOSQUE, cancellation_rules=STRICT)
    written, rules = Guest(backend), Guest(backend)
    await written.holds(cabin=1)  # the Lago's owner wrote the policy
    await rules.holds("del 20 al 23 de enero para 2", cabin=2)  # the Refugio's did not
    assert LAGO_FAQ["cancellation_policy"] in only(await written.says(question)).text
    turn = await rules.says(question)
    assert describe(STRICT) in only(turn).text and not turn.handoff
    assert "no lo tengo" not in only(turn).text


# Cancelling: what goes back.


@pytest.mark.parametrize(
    ("money", "line"),
    [
        (paid(DEPOSIT // 2, 50), "Si cancelás hoy te devolvemos $37.500 (el 50 % de lo que pagaste)."),
        (paid(DEPOSIT, 100), "Si cancelás hoy te devolvemos todo lo que pagaste ($75.000)."),
        (paid(0, 0, 3), "Faltan 3 días para tu llegada: si cancelás hoy no te devolvemos lo que pagaste ($75.000)."),
        (paid(0, 0, 1), "Falta 1 día para tu llegada: si cancelás hoy no te devolvemos lo que pagaste ($75.000)."),
        (paid(0, 0, 0), "Llegás hoy: si cancelás hoy no te devolvemos lo que pagaste ($75.000)."),
        (Balance(0, 3 * NIGHTLY_MINOR, "ARS"), "No pagaste nada, así que no hay nada que devolver."),
    ],
)
async def test_the_cancel_question_says_what_goes_back_today(money: Balance, line: str) -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    code = await guest.holds()
    backend.balances[code] = money
    reply = only(await guest.says("quiero cancelar la reserva"))
    assert body(reply) == f"¿Cancelo la reserva {code}: Cabaña del Lago, del 15 al 18 de diciembre?\n{line}"
    assert choices_of(reply) == [(f"confirm_cancel:{code}", "Sí, cancelar"), (f"keep:{code}", "No")]


async def test_payments_silent_the_cancel_question_tells_the_policy() -> None:
    guest = Guest(FakeBackend())
    await guest.holds(cabin=2)
    assert body(only(await guest.says("cancelá la reserva"))).endswith("\n" + describe(DEFAULT_POLICY))


async def test_after_cancelling_the_refund_is_on_its_way_only_when_there_is_one() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    code = await guest.holds()
    backend.confirm(code)
    backend.balances[code] = paid(DEPOSIT // 2, 50)
    await guest.says("quiero cancelar")
    said = only(await guest.taps(f"confirm_cancel:{code}")).text
    assert backend.cancelled == [code]
    assert said.endswith("\nTe devolvemos $37.500 por el mismo medio con el que pagaste; te aviso cuando salga.")
    for money in (paid(0, 0, 2), Balance(0, 3 * NIGHTLY_MINOR, "ARS"), None):
        code = await guest.holds("del 20 al 23 de enero para 2")
        if money:
            backend.balances[code] = money
        await guest.says("quiero cancelar")
        said = only(await guest.says("sí")).text
        assert said.startswith(f"Listo, cancelé la reserva {code}") and "devolvemos" not in said


# What is left to pay.


@pytest.mark.parametrize(
    ("money", "on_arrival", "line"),
    [
        (Balance(DEPOSIT, 0, "ARS"), False, t.PAID_UP),
        (
            Balance(DEPOSIT, 10_500_000, "ARS", "https://pagar.example/saldo"),
            False,
            "Te falta pagar $105.000; podés hacerlo acá: https://pagar.example/saldo",
        ),
        (Balance(DEPOSIT, 10_500_000, "ARS"), True, "Te falta pagar $105.000: el resto lo pagás al llegar."),
        (
            Balance(DEPOSIT, 10_500_000, "ARS"),
            False,
            "Te falta pagar $105.000: unos días antes de que llegues te mando el link para pagarlo.",
        ),
    ],
)
@pytest.mark.parametrize("asked", ["ya pagué", "¿cuánto me falta?", "cuanto debo?"])
async def test_a_confirmed_stay_tells_what_is_left_and_how(
    money: Balance, on_arrival: bool, line: str, asked: str
) -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    code = await guest.holds()
    backend.confirm(code)
    backend.held[code] = replace(backend.held[code], balance_on_arrival=on_arrival)
    backend.balances[code] = money
    head = t.PAID_CONFIRMED.format(code=code, cabin="Cabaña del Lago", stay="del 15 al 18 de diciembre")
    assert only(await guest.says(asked)).text == f"{head}\n{line}"


async def test_payments_silent_a_confirmed_stay_is_only_confirmed() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    code = await guest.holds()
    backend.confirm(code)
    reply = only(await guest.says("¿cuánto me falta?"))
    assert reply.text == t.PAID_CONFIRMED.format(code=code, cabin="Cabaña del Lago", stay="del 15 al 18 de diciembre")


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (2, "Faltan 2 días para tu llegada"),
        (1, "Falta 1 día para tu llegada"),
        (0, "Llegás hoy"),
        (-1, "Tu estadía ya empezó"),
    ],
)
def test_the_days_until_arrival(days: int, said: str) -> None:
    assert t.until_arrival(days) == said


@pytest.mark.parametrize(("minor", "said"), [(0, "$0"), (2_550_000, "$25.500"), (100_000_000, "$1.000.000")])
def test_pesos_as_people_write_them(minor: int, said: str) -> None:
    assert t.money(minor) == said
