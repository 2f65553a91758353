"""The dialog turn by turn, over an in-memory booking and payments (`ports.Backend`)."""

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from services.messaging import dialog
from services.messaging import templates as t
from services.messaging.interactive import Outgoing, choices_of
from services.messaging.ports import Backend, Cabin, Held, Offer, Refused
from services.messaging.whatsapp import Inbound

TODAY = date(2026, 11, 23)  # a Monday
PHONE = "5491155555555"
ARRAYAN = Cabin(1, "arrayan", "Cabaña Arrayán", 4, ("wifi", "parrilla"))
COIHUE = Cabin(2, "coihue", "Cabaña Coihue", 6, ("pileta",))
LINK = "https://pagar.example/RES1"
NIGHTLY_MINOR = 5_000_000  # $50.000 a night


class FakeBackend:
    """Booking and payments in memory: the holds it made, what it cancelled, refusals on demand."""

    def __init__(self) -> None:
        self.cabin_list = [ARRAYAN, COIHUE]
        self.held: dict[str, Held] = {}
        self.keys: list[str] = []
        self.cancelled: list[str] = []
        self.link: str | None = LINK
        self.links: list[str] = []  # the codes a payment link was asked for
        self.refuse_offers: Refused | None = None
        self.refuse_hold: Refused | None = None

    async def cabins(self) -> list[Cabin]:
        return list(self.cabin_list)

    async def offers(self, check_in: date, check_out: date, guests: int) -> list[Offer]:
        if self.refuse_offers:
            raise self.refuse_offers
        nights = (check_out - check_in).days
        return [Offer(c, NIGHTLY_MINOR * nights, "ARS") for c in self.cabin_list if c.capacity >= guests]

    async def hold(
        self, cabin_id: int, check_in: date, check_out: date, guests: int, phone: str, name: str, key: str
    ) -> Held:
        if self.refuse_hold:
            raise self.refuse_hold
        [cabin] = [c for c in self.cabin_list if c.id == cabin_id]
        total = NIGHTLY_MINOR * (check_out - check_in).days
        held = Held(
            code=f"RES{len(self.held) + 1}",
            cabin=cabin.name,
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            total_minor=total,
            deposit_minor=total // 2,
            currency="ARS",
            expires_at=datetime(2026, 11, 23, 21, 30, tzinfo=UTC),  # 18:30 in Buenos Aires
            guest_name=name,
            phone=phone,
        )
        self.held[held.code] = held
        self.keys.append(key)
        return held

    async def payment_link(self, code: str) -> str | None:
        self.links.append(code)
        return self.link

    async def reservations(self, phone: str) -> list[Held]:
        return [h for h in self.held.values() if h.phone == phone]

    async def cancel(self, code: str) -> None:
        self.held[code] = replace(self.held[code], status="cancelled")
        self.cancelled.append(code)


class Guest:
    """One guest's side of the conversation; keeps the dialog state between turns as the worker does."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.state: dict[str, Any] = {}
        self.sent = 0

    async def _turn(self, msg: Inbound) -> dialog.Turn:
        turn = await dialog.respond(msg, self.state, self.backend, TODAY)
        self.state = turn.state
        return turn

    def _msg(self, kind: str, text: str, payload: dict[str, Any]) -> Inbound:
        self.sent += 1
        return Inbound(f"wamid.{self.sent}", PHONE, "Ana Pérez", kind, text, None, payload)

    async def says(self, text: str) -> dialog.Turn:
        return await self._turn(self._msg("text", text, {}))

    async def taps(self, reply_id: str) -> dialog.Turn:
        chosen = {"type": "button_reply", "button_reply": {"id": reply_id, "title": "x"}}
        return await self._turn(self._msg("interactive", "x", {"interactive": chosen}))


def only(turn: dialog.Turn) -> Outgoing:
    [reply] = turn.replies
    return reply


async def offered(guest: Guest) -> dialog.Turn:
    return await guest.says("hay lugar del 15 al 18 de diciembre para 4?")


async def test_an_availability_question_gets_the_free_cabins_as_a_list() -> None:
    reply = only(await offered(Guest(FakeBackend())))
    assert reply.type == "interactive" and reply.body["interactive"]["type"] == "list"
    assert reply.text.startswith(t.OPTIONS.format(check_in="15 dic", check_out="18 dic", nights=3, guests=4))
    assert choices_of(reply) == [("cabin:1", "Cabaña Arrayán"), ("cabin:2", "Cabaña Coihue")]
    rows = reply.body["interactive"]["action"]["sections"][0]["rows"]
    assert rows[0]["description"] == f"4 pers · {t.money(3 * NIGHTLY_MINOR)} total"


async def test_only_cabins_that_fit_are_offered_and_none_free_says_so() -> None:
    backend = FakeBackend()
    assert choices_of(only(await Guest(backend).says("del 15 al 18 de diciembre somos 5"))) == [
        ("cabin:2", "Cabaña Coihue")
    ]
    backend.cabin_list = [ARRAYAN]
    reply = only(await Guest(backend).says("del 15 al 18 de diciembre somos 5"))
    assert reply.text == t.NONE_FREE.format(check_in="15 dic", check_out="18 dic", guests=5)


async def test_one_missing_thing_is_asked_at_a_time() -> None:
    guest = Guest(FakeBackend())
    assert only(await guest.says("tienen lugar?")).text == t.ASK_DATES
    assert guest.state["awaiting"] == "dates"
    assert only(await guest.says("el 15 de diciembre")).text == t.ASK_NIGHTS.format(check_in="15 dic")
    assert guest.state["awaiting"] == "nights"
    assert only(await guest.says("3")).text == t.ASK_GUESTS  # a bare number answers the question asked
    assert guest.state["check_out"] == "2026-12-18"
    assert guest.state["awaiting"] == "guests"
    reply = only(await guest.says("4"))
    assert reply.text.startswith(t.OPTIONS.format(check_in="15 dic", check_out="18 dic", nights=3, guests=4))
    assert guest.state["awaiting"] == "choice"


async def test_choosing_a_cabin_holds_it_and_sends_the_link_with_buttons() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await offered(guest)
    reply = only(await guest.taps("cabin:1"))
    [held] = backend.held.values()
    assert (held.cabin, held.check_in, held.check_out, held.guests) == (
        "Cabaña Arrayán",
        date(2026, 12, 15),
        date(2026, 12, 18),
        4,
    )
    assert backend.keys == ["wa:wamid.2"]  # the guest's message id: a redelivery holds nothing twice
    assert reply.type == "interactive" and reply.body["interactive"]["type"] == "button"
    assert choices_of(reply) == [("pay:RES1", "Pagar"), ("dates", "Cambiar fechas"), ("cancel:RES1", "Cancelar")]
    assert reply.text.startswith(
        t.HELD.format(
            cabin="Cabaña Arrayán",
            check_in="15 dic",
            check_out="18 dic",
            nights=3,
            guests=4,
            total=t.money(3 * NIGHTLY_MINOR),
            deposit=t.money(3 * NIGHTLY_MINOR // 2),
            payment=t.PAY_LINK.format(url=LINK),
            until="18:30",
        )
    )
    assert guest.state["held"] == "RES1" and guest.state["awaiting"] is None
    assert only(await guest.taps("pay:RES1")).text == t.PAY_LINK.format(url=LINK)
    assert backend.links == ["RES1", "RES1"]


async def test_without_a_payment_link_the_hold_stands_and_the_link_is_promised() -> None:
    backend = FakeBackend()
    backend.link = None
    guest = Guest(backend)
    await offered(guest)
    reply = only(await guest.taps("cabin:2"))
    assert t.PAY_LATER in reply.text and "RES1" in backend.held
    assert only(await guest.says("quiero pagar")).text == t.PAY_LATER


async def test_reserving_a_named_free_cabin_holds_it_at_once() -> None:
    backend = FakeBackend()
    reply = only(await Guest(backend).says("quiero reservar la cabaña arrayan del 15 al 18 de diciembre para 3"))
    assert [h.cabin for h in backend.held.values()] == ["Cabaña Arrayán"]
    assert "Te guardé Cabaña Arrayán" in reply.text


async def test_my_reservations_lists_the_active_ones() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    assert only(await guest.says("mis reservas")).text == t.NO_RESERVATIONS
    await offered(guest)
    await guest.taps("cabin:1")
    await guest.taps("cabin:2")
    await backend.cancel("RES2")
    lines = "• RES1: Cabaña Arrayán, 15 dic → 18 dic (esperando el pago)"
    assert only(await guest.says("mis reservas")).text == t.MY_RESERVATIONS.format(lines=lines)


async def test_cancel_by_button_or_by_text_and_only_the_guests_own() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    assert only(await guest.says("quiero cancelar")).text == t.NOTHING_TO_CANCEL
    await offered(guest)
    await guest.taps("cabin:1")
    assert only(await guest.taps("cancel:RES9")).text == t.NOTHING_TO_CANCEL  # not hers: nothing cancelled
    assert backend.cancelled == []
    assert only(await guest.taps("cancel:RES1")).text == t.CANCELLED.format(code="RES1")
    assert backend.cancelled == ["RES1"] and "held" not in guest.state
    await guest.taps("dates")
    await guest.says("del 15 al 18 de diciembre para 4")
    await guest.taps("cabin:2")
    assert only(await guest.says("cancelar la reserva")).text == t.CANCELLED.format(code="RES2")  # the one held
    assert backend.cancelled == ["RES1", "RES2"]


async def test_asking_for_a_person_hands_the_conversation_off() -> None:
    turn = await Guest(FakeBackend()).says("quiero hablar con una persona")
    assert turn.handoff and only(turn).text == t.HANDOFF
    turn = await Guest(FakeBackend()).taps("menu:human")
    assert turn.handoff and only(turn).text == t.HANDOFF
    assert not (await Guest(FakeBackend()).says("hola")).handoff


async def test_two_misunderstandings_offer_a_way_out() -> None:
    guest = Guest(FakeBackend())
    assert only(await guest.says("asdf qwer")).text == t.UNKNOWN
    reply = only(await guest.says("zxcv"))
    assert choices_of(reply) == [("menu:dates", "Ver disponibilidad"), ("menu:human", "Hablar con alguien")]


async def test_a_stay_booking_refuses_asks_for_dates_again() -> None:
    backend = FakeBackend()
    backend.refuse_offers = Refused("MIN_NIGHTS", "La estadía mínima es de 2 noches.")
    guest = Guest(backend)
    reply = only(await guest.says("del 15 al 16 de diciembre para 2"))
    assert reply.text == t.INVALID.format(reason="La estadía mínima es de 2 noches.")
    assert guest.state["check_in"] is None and guest.state["awaiting"] == "dates"


async def test_a_refused_hold_says_why() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await offered(guest)
    backend.refuse_hold = Refused("DATES_UNAVAILABLE", "Esas fechas ya no están libres.")
    assert only(await guest.taps("cabin:1")).text == t.TAKEN
    backend.refuse_hold = Refused("CAPACITY_EXCEEDED", "Son demasiados para esta cabaña.")
    assert only(await guest.taps("cabin:1")).text == t.INVALID.format(reason="Son demasiados para esta cabaña.")
    assert backend.held == {} and "held" not in guest.state


async def test_a_profile_name_of_only_spaces_is_no_name() -> None:
    backend = FakeBackend()
    for name, greeted in (("\u2003\u00a0", ""), ("", ""), ("  Ana\u2003 Pérez ", ", Ana")):
        hello = Inbound("wamid.1", PHONE, name, "text", "hola", None, {})
        assert only(await dialog.respond(hello, {}, backend, TODAY)).text == t.WELCOME.format(name=greeted)
    state = (await offered(Guest(backend))).state
    chosen = {"interactive": {"type": "list_reply", "list_reply": {"id": "cabin:1", "title": "x"}}}
    await dialog.respond(Inbound("wamid.2", PHONE, "\u2003", "interactive", "x", None, chosen), state, backend, TODAY)
    assert [h.guest_name for h in backend.held.values()] == [""]  # booking's adapter names them "Huésped"
