"""The dialog turn by turn, over an in-memory booking and payments (`ports.Backend`)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.common.cancellation import Rule
from services.messaging import dialog
from services.messaging import templates as t
from services.messaging.interactive import Outgoing, choices_of
from services.messaging.ports import Availability, Backend, Balance, Cabin, Held, Offer, Refused
from services.messaging.whatsapp import Inbound

TODAY = date(2026, 11, 23)  # a Monday
PHONE = "5491155555555"
LAGO_FAQ = {
    "pets": "Se aceptan mascotas chicas, con aviso.",
    "wifi": "Sí, wifi de fibra en toda la casa.",
    "parking": "Cochera techada para un auto.",
    "linen": "Dejamos sábanas y toallas.",
    "grill": "Tiene parrilla en el deck.",
    "heating": "Calefacción a leña y split frío/calor.",
    "pool": "Pileta compartida, de diciembre a marzo.",
    "children": "Los chicos son bienvenidos; hay cuna a pedido.",
    "directions": "Desde la ruta 40, tomá el camino de ripio 2 km.",
    "distance_to_town": "Quedamos a 3 km del centro.",
    "house_rules": "No se puede fumar adentro ni hacer fiestas.",
    "cancellation_policy": "Cancelando hasta 7 días antes te devolvemos la seña.",
}
LAGO = Cabin(
    1,
    "lago",
    "Cabaña del Lago",
    4,
    ("wifi", "parrilla"),
    check_in_time="14:00",
    check_out_time="10:00",
    deposit_percent=30,
    min_nights=2,
    address="Los Notros 120",
    city="Villa La Angostura",
    maps_url="https://maps.example/lago",
    faq=LAGO_FAQ,
)
BOSQUE = Cabin(2, "bosque", "Refugio del Bosque", 6, ("pileta",), deposit_percent=30)
LINK = "https://pagar.example/RES1"
NIGHTLY_MINOR = 5_000_000  # $50.000 a night


class FakeBackend:
    """Booking and payments in memory: the holds it made, what it cancelled, refusals on demand."""

    def __init__(self) -> None:
        self.cabin_list = [LAGO, BOSQUE]
        self.held: dict[str, Held] = {}
        self.keys: list[str] = []
        self.cancelled: list[str] = []
        self.link: str | None = LINK
        self.links: list[str] = []  # the codes a payment link was asked for
        self.payments: dict[str, str] = {}  # code -> the latest payment's status
        self.balances: dict[str, Balance] = {}  # code -> its money; none: payments did not answer
        self.rules: tuple[Rule, ...] = ()  # the cancellation rules holds copy
        self.min_nights = 1
        self.taken: set[int] = set()  # cabins not free
        self.refuse_offers: Refused | None = None
        self.refuse_hold: Refused | None = None
        self.expires = True  # holds expire (web holds do; a hold made by an admin may not)

    async def cabins(self) -> list[Cabin]:
        return list(self.cabin_list)

    async def offers(self, check_in: date, check_out: date, guests: int) -> Availability:
        if self.refuse_offers:
            raise self.refuse_offers
        nights = (check_out - check_in).days
        free, reasons = [], set()
        for c in self.cabin_list:
            if c.capacity < guests:
                reasons.add("CAPACITY_EXCEEDED")
            elif nights < self.min_nights:
                reasons.add("MIN_NIGHTS")
            elif c.id in self.taken:
                reasons.add("DATES_UNAVAILABLE")
            else:
                free.append(Offer(c, NIGHTLY_MINOR * nights, "ARS"))
        return Availability(free, frozenset(reasons))

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
            expires_at=datetime(2026, 11, 23, 21, 30, tzinfo=UTC) if self.expires else None,  # 18:30 in Buenos Aires
            guest_name=name,
            phone=phone,
            created_at=datetime(2026, 11, 23, 12, tzinfo=UTC) + timedelta(minutes=len(self.held)),
            cancellation_rules=self.rules,
        )
        self.held[held.code] = held
        self.keys.append(key)
        return held

    async def payment_link(self, code: str) -> str | None:
        self.links.append(code)
        return self.link

    async def reservations(self, phone: str) -> list[Held]:
        return sorted((h for h in self.held.values() if h.phone == phone), key=lambda h: h.code)  # not newest first

    async def cancel(self, code: str) -> None:
        self.held[code] = replace(self.held[code], status="cancelled")
        self.cancelled.append(code)

    async def payment_status(self, code: str) -> str | None:
        return self.payments.get(code)

    async def balance(self, code: str) -> Balance | None:
        return self.balances.get(code)

    def confirm(self, code: str) -> None:
        self.held[code] = replace(self.held[code], status="confirmed", expires_at=None)


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

    async def holds(self, text: str = "hay lugar del 15 al 18 de diciembre para 4?", cabin: int = 1) -> str:
        await self.says(text)
        await self.taps(f"cabin:{cabin}")
        return str(self.state["held"])


def only(turn: dialog.Turn) -> Outgoing:
    [reply] = turn.replies
    return reply


async def offered(guest: Guest) -> dialog.Turn:
    return await guest.says("hay lugar del 15 al 18 de diciembre para 4?")


# Replies that sound like a person from here.


async def test_an_availability_question_gets_the_free_cabins_as_a_list() -> None:
    reply = only(await offered(Guest(FakeBackend())))
    assert reply.type == "interactive" and reply.body["interactive"]["type"] == "list"
    assert reply.text.startswith("Del 15 al 18 de diciembre (3 noches, 4 personas) tengo libres:")
    assert choices_of(reply) == [("cabin:1", "Cabaña del Lago"), ("cabin:2", "Refugio del Bosque")]
    rows = reply.body["interactive"]["action"]["sections"][0]["rows"]
    assert rows[0]["description"] == f"hasta 4 personas · {t.money(3 * NIGHTLY_MINOR)} total"


async def test_singulars_and_a_stay_across_months() -> None:
    reply = only(await Guest(FakeBackend()).says("del 31 de diciembre al 1 de enero, voy solo"))
    assert reply.text.startswith("Del 31 de diciembre al 1 de enero (1 noche, 1 persona) tengo libres:")


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Cabaña del Lago", "la Cabaña del Lago"),
        ("Refugio del Bosque", "el Refugio del Bosque"),
        ("Casa Grande", "la Casa Grande"),
        ("Depto Centro", "el Depto Centro"),
        ("Arrayán", "Arrayán"),
    ],
)
def test_a_cabin_takes_its_article(name: str, said: str) -> None:
    assert t.the(name) == said


async def test_one_missing_thing_is_asked_at_a_time() -> None:
    guest = Guest(FakeBackend())
    assert only(await guest.says("tienen lugar?")).text == t.ASK_DATES
    assert guest.state["awaiting"] == "dates"
    reply = only(await guest.says("el 15 de diciembre"))
    assert reply.text == "¿Cuántas noches se quedarían desde el 15 de diciembre?"
    assert only(await guest.says("3")).text == "¿Cuántas personas son, contando a los chicos?"
    assert guest.state["check_out"] == "2026-12-18"
    reply = only(await guest.says("4"))
    assert reply.text.startswith("Del 15 al 18 de diciembre (3 noches, 4 personas)")
    assert guest.state["awaiting"] == "choice"


@pytest.mark.parametrize(("answer", "check_out"), [("hasta el domingo", "2026-12-20"), ("hasta el 18", "2026-12-18")])
async def test_after_how_many_nights_an_end_date_is_the_check_out(answer: str, check_out: str) -> None:
    guest = Guest(FakeBackend())
    await guest.says("llegamos el 15 de diciembre")
    await guest.says(answer)
    assert (guest.state["check_in"], guest.state["check_out"]) == ("2026-12-15", check_out)


async def test_a_mid_booking_hola_does_not_start_over() -> None:
    guest = Guest(FakeBackend())
    await guest.says("del 15 al 18 de diciembre")
    reply = only(await guest.says("holaaa"))
    assert reply.text == f"{t.WELCOME_BACK}\n{t.ASK_GUESTS}"
    assert guest.state["check_in"] == "2026-12-15"


@pytest.mark.parametrize(
    "remark",
    ["¿podemos hacer el check out a las 11 de la mañana?", "chau, buen finde", "mil gracias", "$45.000 la noche?"],
)
async def test_side_remarks_do_not_overwrite_the_stay(remark: str) -> None:
    guest = Guest(FakeBackend())
    await guest.says("del 15 al 18 de diciembre somos 4")
    await guest.says(remark)
    assert (guest.state["check_in"], guest.state["check_out"], guest.state["guests"]) == (
        "2026-12-15",
        "2026-12-18",
        4,
    )


async def test_choosing_a_cabin_holds_it_and_sends_the_link_with_buttons() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await offered(guest)
    reply = only(await guest.taps("cabin:1"))
    [held] = backend.held.values()
    assert (held.cabin, held.check_in, held.check_out, held.guests) == (
        "Cabaña del Lago",
        date(2026, 12, 15),
        date(2026, 12, 18),
        4,
    )
    assert backend.keys == ["wa:wamid.2"]  # the guest's message id: a redelivery holds nothing twice
    assert reply.type == "interactive" and reply.body["interactive"]["type"] == "button"
    assert choices_of(reply) == [("pay:RES1", "Pagar"), ("dates", "Cambiar fechas"), ("cancel:RES1", "Cancelar")]
    assert reply.text.startswith(
        "¡Listo! Te guardé la Cabaña del Lago del 15 al 18 de diciembre (3 noches, 4 personas).\n"
        f"Total {t.money(3 * NIGHTLY_MINOR)} · seña {t.money(3 * NIGHTLY_MINOR // 2)}.\n"
        f"Pagá la seña acá: {LINK}\nLa reserva queda en espera hasta las 18:30."
    )
    assert guest.state["held"] == "RES1" and guest.state["awaiting"] is None
    assert only(await guest.taps("pay:RES1")).text == t.PAY_LINK.format(url=LINK)
    assert backend.links == ["RES1", "RES1"]


async def test_a_hold_without_expiry_says_no_time() -> None:
    backend = FakeBackend()
    backend.expires = False
    guest = Guest(backend)
    await offered(guest)
    reply = only(await guest.taps("cabin:1"))
    assert "hasta las" not in reply.text and "—" not in reply.text


@pytest.mark.parametrize("typed", ["la del bosque", "dale el refugio del bosque", "me quedo con el refugio"])
async def test_typing_the_cabin_after_the_list_chooses_it(typed: str) -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await offered(guest)
    await guest.says(typed)
    assert [h.cabin for h in backend.held.values()] == ["Refugio del Bosque"]


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
    reply = only(await Guest(backend).says("quiero reservar la cabaña del lago del 15 al 18 de diciembre para 3"))
    assert [h.cabin for h in backend.held.values()] == ["Cabaña del Lago"]
    assert "Te guardé la Cabaña del Lago" in reply.text


async def test_my_reservations_lists_the_active_ones() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    assert only(await guest.says("mis reservas")).text == t.NO_RESERVATIONS
    await guest.holds()
    await guest.taps("cabin:2")
    await backend.cancel("RES2")
    lines = "• RES1: Cabaña del Lago, del 15 al 18 de diciembre (esperando el pago de la seña)"
    assert only(await guest.says("mis reservas")).text == t.MY_RESERVATIONS.format(lines=lines)


# Nothing irreversible without a yes.


@pytest.mark.parametrize(
    "question",
    [
        "¿cuál es la política de cancelación?",
        "¿se puede cancelar si llueve?",
        "si cancelo me devuelven la seña?",
        "no quiero cancelar, quiero pagar",
        "no, no la canceles",
    ],
)
async def test_questions_and_negations_never_cancel(question: str) -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await guest.holds()
    await guest.says(question)
    assert backend.cancelled == [] and backend.held["RES1"].status == "pre_reserved"


async def test_the_policy_question_is_answered_from_the_cabin() -> None:
    guest = Guest(FakeBackend())
    await guest.holds()
    assert LAGO_FAQ["cancellation_policy"] in only(await guest.says("¿cuál es la política de cancelación?")).text


async def test_cancelling_asks_first_naming_the_reservation() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await guest.holds()
    reply = only(await guest.says("quiero cancelar la reserva"))
    assert reply.text.startswith("¿Cancelo la reserva RES1: Cabaña del Lago, del 15 al 18 de diciembre?")
    assert LAGO_FAQ["cancellation_policy"] in reply.text
    assert choices_of(reply) == [("confirm_cancel:RES1", "Sí, cancelar"), ("keep:RES1", "No")]
    assert backend.cancelled == []
    assert only(await guest.says("no")).text == t.KEPT
    assert backend.cancelled == []
    await guest.says("cancelá la reserva")
    reply = only(await guest.says("sí"))
    assert (
        reply.text
        == "Listo, cancelé la reserva RES1 (Cabaña del Lago, del 15 al 18 de diciembre). ¡Cuando quieras armamos otra!"
    )
    assert backend.cancelled == ["RES1"] and "held" not in guest.state


async def test_the_cancel_button_asks_too_and_only_for_the_guests_own() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    assert only(await guest.says("quiero cancelar")).text == t.NOTHING_TO_CANCEL
    await guest.holds()
    assert only(await guest.taps("cancel:RES9")).text == t.NOTHING_TO_CANCEL  # not hers
    assert only(await guest.taps("confirm_cancel:RES9")).text == t.NOTHING_TO_CANCEL
    assert backend.cancelled == []
    only(await guest.taps("cancel:RES1"))
    assert backend.cancelled == []
    await guest.taps("confirm_cancel:RES1")
    assert backend.cancelled == ["RES1"]


async def test_with_several_reservations_the_guest_picks_one_newest_first() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await guest.holds()
    await guest.holds("del 20 al 23 de enero para 2", cabin=2)
    reply = only(await guest.says("quiero cancelar mi reserva"))
    assert reply.text.startswith(t.ASK_WHICH)
    assert [i for i, _ in choices_of(reply)] == ["which:RES2", "which:RES1"]
    assert backend.cancelled == []
    assert only(await guest.taps("which:RES1")).text.startswith("¿Cancelo la reserva RES1")
    await guest.says("si")
    assert backend.cancelled == ["RES1"]


async def test_changing_dates_releases_the_hold() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await guest.holds()
    reply = only(await guest.says("quiero cambiar las fechas"))
    assert backend.cancelled == ["RES1"] and "held" not in guest.state
    assert reply.text == f"{t.RELEASED.format(code='RES1')}\n{t.ASK_DATES}"
    assert guest.state["guests"] == 4  # the party stays
    await guest.holds()
    await guest.taps("dates")
    assert backend.cancelled == ["RES1", "RES2"]


async def test_a_confirmed_reservation_is_not_released_by_a_change_of_dates() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    code = await guest.holds()
    backend.confirm(code)
    turn = await guest.says("quiero cambiar las fechas")
    assert backend.cancelled == [] and turn.handoff


# Answers to the question just asked.


async def test_yes_after_do_you_want_availability() -> None:
    guest = Guest(FakeBackend())
    reply = only(await guest.says("¿tienen wifi?"))
    assert reply.text == f"• Cabaña del Lago: {LAGO_FAQ['wifi']}\n{t.OFFER_AVAILABILITY}"
    assert only(await guest.says("dale")).text == t.ASK_DATES


async def test_yes_and_no_after_shall_we_try_other_dates() -> None:
    backend = FakeBackend()
    backend.taken = {1, 2}
    guest = Guest(backend)
    reply = only(await guest.says("del 15 al 18 de diciembre somos 4"))
    assert (
        reply.text
        == "Uy, del 15 al 18 de diciembre (3 noches, 4 personas) no me queda nada libre 😕 ¿Probamos otras fechas?"
    )
    assert only(await guest.says("de una")).text == t.ASK_DATES
    assert guest.state["guests"] == 4 and guest.state["check_in"] is None
    await guest.says("del 15 al 18 de diciembre")
    assert only(await guest.says("no")).text == t.OK_NO


async def test_a_stay_below_the_minimum_keeps_the_dates_and_proposes_one() -> None:
    backend = FakeBackend()
    backend.min_nights = 3
    guest = Guest(backend)
    reply = only(await guest.says("del 5 al 6 de diciembre para 2"))
    assert reply.text == "En esas fechas el mínimo es de 3 noches; ¿del 5 al 8 de diciembre te sirve?"
    reply = only(await guest.says("sí"))
    assert reply.text.startswith("Del 5 al 8 de diciembre (3 noches, 2 personas) tengo libres:")


async def test_too_many_people_says_the_biggest_and_keeps_the_dates() -> None:
    guest = Guest(FakeBackend())
    reply = only(await guest.says("del 15 al 18 de diciembre somos 9"))
    assert reply.text.startswith("Para 9 personas no tengo cabaña: la más grande es para 6 personas.")
    assert guest.state["check_in"] == "2026-12-15" and guest.state["awaiting"] == "guests"
    assert only(await guest.says("6")).text.startswith("Del 15 al 18 de diciembre (3 noches, 6 personas)")


async def test_a_stay_booking_refuses_says_why_and_asks_for_dates_again() -> None:
    backend = FakeBackend()
    backend.refuse_offers = Refused("DATES_IN_PAST", "La fecha de llegada ya pasó.")
    guest = Guest(backend)
    reply = only(await guest.says("del 15 al 16 de diciembre para 2"))
    assert reply.text == t.INVALID.format(reason="La fecha de llegada ya pasó.")
    assert guest.state["check_in"] is None and guest.state["awaiting"] == "dates" and guest.state["guests"] == 2


async def test_a_month_alone_asks_which_days() -> None:
    guest = Guest(FakeBackend())
    assert (
        only(await guest.says("nos vemos en marzo, somos 2")).text == "¿Qué días de marzo? Por ejemplo: «del 10 al 13»."
    )
    assert guest.state.get("check_in") is None


# Info from the cabin's data.


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("¿aceptan mascotas?", LAGO_FAQ["pets"]),
        ("tiene wifi?", LAGO_FAQ["wifi"]),
        ("hay donde dejar el auto?", LAGO_FAQ["parking"]),
        ("hay que llevar sabanas y toallas?", LAGO_FAQ["linen"]),
        ("tiene parrilla para hacer un asado?", LAGO_FAQ["grill"]),
        ("tiene calefaccion?", LAGO_FAQ["heating"]),
        ("hay pileta?", LAGO_FAQ["pool"]),
        ("pueden ir chicos? tenemos un bebé", LAGO_FAQ["children"]),
        ("como llego?", LAGO_FAQ["directions"]),
        ("que tan lejos queda del centro?", LAGO_FAQ["distance_to_town"]),
        ("se puede fumar?", LAGO_FAQ["house_rules"]),
        ("cual es la politica de cancelacion?", LAGO_FAQ["cancellation_policy"]),
        ("a que hora es el check in?", "El check-in es desde las 14:00 y el check-out hasta las 10:00."),
        ("cuanto es la seña?", "una seña del 30 %"),
        ("como se paga?", "Mercado Pago"),
        (
            "donde queda?",
            "Los Notros 120, Villa La Angostura. " + LAGO_FAQ["directions"] + " Mapa: https://maps.example/lago",
        ),
    ],
)
async def test_each_question_is_answered_from_the_cabin_being_booked(question: str, answer: str) -> None:
    guest = Guest(FakeBackend())
    await guest.holds(cabin=1)
    turn = await guest.says(question)
    assert answer in only(turn).text and not turn.handoff


async def test_a_question_nobody_answered_goes_to_a_person() -> None:
    guest = Guest(FakeBackend())
    await guest.holds(cabin=2)  # the Refugio has no answers written
    turn = await guest.says("¿aceptan mascotas?")
    assert turn.handoff and only(turn).text == t.UNANSWERED.format(topics="las mascotas")


async def test_a_question_about_no_cabin_in_particular_answers_for_each() -> None:
    reply = only(await Guest(FakeBackend()).says("¿aceptan mascotas?"))
    assert f"• Cabaña del Lago: {LAGO_FAQ['pets']}" in reply.text


async def test_a_long_message_gets_every_fact_and_every_answer() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    reply = only(
        await guest.says(
            "Hola! Somos una familia, mi marido y yo con los 3 chicos. Queríamos ir a la Cabaña del Lago "
            "del 15 al 18 de diciembre. ¿Aceptan perros? ¿Y tiene wifi?"
        )
    )
    assert (guest.state["check_in"], guest.state["check_out"], guest.state["guests"]) == (
        "2026-12-15",
        "2026-12-18",
        5,
    )
    assert LAGO_FAQ["pets"] in reply.text and LAGO_FAQ["wifi"] in reply.text


# Payments talk.


async def test_already_paid_in_each_payment_state() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    assert only(await guest.says("ya pagué")).text == t.NOTHING_TO_PAY
    code = await guest.holds()
    backend.links.clear()
    reply = only(await guest.says("ya pague"))
    assert reply.text.startswith(f"Todavía no me figura ningún pago de la reserva {code}") and LINK in reply.text
    backend.payments[code] = "in_process"
    assert only(await guest.says("te transferí recién")).text == t.PAID_PENDING.format(code=code)
    backend.payments[code] = "rejected"
    assert LINK in only(await guest.says("listo, pagado")).text
    backend.confirm(code)
    reply = only(await guest.says("ya pagué"))
    assert reply.text == t.PAID_CONFIRMED.format(code=code, cabin="Cabaña del Lago", stay="del 15 al 18 de diciembre")


async def test_no_link_came_resends_it() -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    code = await guest.holds()
    assert only(await guest.says("no me llegó el link")).text == t.PAY_LINK.format(url=LINK)
    assert backend.links[-1] == code


async def test_dates_with_a_deposit_question_are_still_a_booking() -> None:
    guest = Guest(FakeBackend())
    reply = only(await guest.says("del 15 al 18 de diciembre para 4, cuanto es la seña?"))
    assert reply.text.startswith(t.DEPOSIT.format(percent=30) + "\nDel 15 al 18 de diciembre (3 noches, 4 personas)")
    assert guest.state["awaiting"] == "choice"


# The rest.


async def test_asking_for_a_person_hands_the_conversation_off() -> None:
    turn = await Guest(FakeBackend()).says("quiero hablar con una persona")
    assert turn.handoff and only(turn).text == t.HANDOFF
    turn = await Guest(FakeBackend()).taps("menu:human")
    assert turn.handoff and only(turn).text == t.HANDOFF
    assert not (await Guest(FakeBackend()).says("hola")).handoff


async def test_the_first_misunderstanding_offers_buttons() -> None:
    reply = only(await Guest(FakeBackend()).says("asdf qwer"))
    assert reply.text.startswith(t.UNKNOWN)
    assert choices_of(reply) == [("menu:dates", "Ver disponibilidad"), ("menu:human", "Hablar con alguien")]


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


async def test_a_question_after_the_hold_is_only_answered() -> None:
    guest = Guest(FakeBackend())
    await guest.holds()
    for question in ("tiene cuna para el bebe?", "a que hora podemos entrar?"):
        reply = only(await guest.says(question))
        assert reply.type == "text" and "tengo libres" not in reply.text, reply.text
    assert guest.state["guests"] == 4


async def test_yes_to_the_way_out_shows_availability() -> None:
    guest = Guest(FakeBackend())
    await guest.says("asdkjh")
    assert only(await guest.says("ok")).text == t.ASK_DATES


@pytest.mark.parametrize(
    ("correction", "stay"),
    [("no, el 14 no, el 15", ("2027-01-15", "2027-01-17")), ("no el 17 no, el 18", ("2027-01-14", "2027-01-18"))],
)
async def test_a_correction_moves_that_end_of_the_stay(correction: str, stay: tuple[str, str]) -> None:
    guest = Guest(FakeBackend())
    await guest.says("del 14 al 17 de enero somos 2")
    await guest.says(correction)
    assert (guest.state["check_in"], guest.state["check_out"]) == stay


@pytest.mark.parametrize("which", ["la del bosque", "la de enero", "la del 20 de enero"])
async def test_the_reservation_to_cancel_can_be_named(which: str) -> None:
    backend = FakeBackend()
    guest = Guest(backend)
    await guest.holds()
    await guest.holds("del 20 al 23 de enero para 2", cabin=2)
    await guest.says("quiero cancelar")
    assert only(await guest.says(which)).text.startswith("¿Cancelo la reserva RES2")
    assert backend.cancelled == []
