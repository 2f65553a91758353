"""The Spanish NLU against a table of what guests write (typos, voseo, no
accents, numbers in words), with dates resolved against a fixed day."""

from datetime import date

import pytest

from services.messaging.nlu import parse

MONDAY = date(2026, 11, 23)  # a Monday; the coming weekend is Fri 27 - Sun 29
CABINS = {
    "cabana-del-lago": "Cabaña del Lago",
    "cabana-del-bosque": "Cabaña del Bosque",
    "casa-de-la-montana": "Casa de la Montaña",
}
D = date

# (text, intent, check_in, check_out, nights, guests, cabin); None = not said.
CASES = [
    ("Hola", "greeting", None, None, None, None, None),
    ("hola buenas tardes", "greeting", None, None, None, None, None),
    ("Buen día!", "greeting", None, None, None, None, None),
    ("holis, que tal?", "greeting", None, None, None, None, None),
    ("Buenas noches", "greeting", None, None, None, None, None),
    (
        "Tienen disponibilidad del 15 al 18 de diciembre?",
        "availability",
        D(2026, 12, 15),
        D(2026, 12, 18),
        3,
        None,
        None,
    ),
    (
        "hay lugar del 15 al 18 de diciembre para 4 personas",
        "availability",
        D(2026, 12, 15),
        D(2026, 12, 18),
        3,
        4,
        None,
    ),
    ("Hola! tienen lugar este finde para 2?", "availability", D(2026, 11, 27), D(2026, 11, 29), 2, 2, None),
    ("hay algo libre este fin de semana", "availability", D(2026, 11, 27), D(2026, 11, 29), 2, None, None),
    ("tenes lugar el proximo fin de semana", "availability", D(2026, 11, 27), D(2026, 11, 29), 2, None, None),
    ("y el finde que viene?", "availability", D(2026, 11, 27), D(2026, 11, 29), 2, None, None),
    # The next long weekend by Argentina's calendar: Sat 5 to Tue 8 (Mon 7 bridge day, Tue 8 holiday).
    ("para el finde largo hay algo?", "availability", D(2026, 12, 5), D(2026, 12, 8), 3, None, None),
    ("somos cuatro", "availability", None, None, None, 4, None),
    ("somos 2 adultos y 1 niño", "availability", None, None, None, 3, None),
    ("2 adultos y 2 chicos del 3 al 6 de enero", "availability", D(2027, 1, 3), D(2027, 1, 6), 3, 4, None),
    ("seriamos 5", "availability", None, None, None, 5, None),
    ("vamos con mi novia", "availability", None, None, None, 2, None),
    ("una pareja, del 10 al 12 de enero", "availability", D(2027, 1, 10), D(2027, 1, 12), 2, 2, None),
    ("desde el viernes por 3 noches", "availability", D(2026, 11, 27), D(2026, 11, 30), 3, None, None),
    (
        "quiero reservar desde el sabado por dos noches para tres",
        "reserve",
        D(2026, 11, 28),
        D(2026, 11, 30),
        2,
        3,
        None,
    ),
    ("para año nuevo somos 6", "availability", D(2026, 12, 31), D(2027, 1, 1), 1, 6, None),
    ("para ano nuevo", "availability", D(2026, 12, 31), D(2027, 1, 1), 1, None, None),
    ("para navidad hay lugar?", "availability", D(2026, 12, 24), D(2026, 12, 25), 1, None, None),
    ("del 28 de diciembre al 2 de enero", "availability", D(2026, 12, 28), D(2027, 1, 2), 5, None, None),
    ("del 15/12 al 18/12 somos 3", "availability", D(2026, 12, 15), D(2026, 12, 18), 3, 3, None),
    ("en enero, del 3 al 7", "availability", D(2027, 1, 3), D(2027, 1, 7), 4, None, None),
    ("del 25 al 28", "availability", D(2026, 11, 25), D(2026, 11, 28), 3, None, None),
    ("del 2 al 5", "availability", D(2026, 12, 2), D(2026, 12, 5), 3, None, None),
    ("entre el 10 y el 14 de febrero", "availability", D(2027, 2, 10), D(2027, 2, 14), 4, None, None),
    ("el 15 de marzo por 4 noches", "availability", D(2027, 3, 15), D(2027, 3, 19), 4, None, None),
    ("llegamos el 8 de diciembre, 2 noches", "availability", D(2026, 12, 8), D(2026, 12, 10), 2, None, None),
    ("mañana por una noche", "availability", D(2026, 11, 24), D(2026, 11, 25), 1, None, None),
    ("pasado mañana 3 noches para 2", "availability", D(2026, 11, 25), D(2026, 11, 28), 3, 2, None),
    ("hoy a la noche una noche", "availability", D(2026, 11, 23), D(2026, 11, 24), 1, None, None),
    ("una semana desde el 5 de enero", "availability", D(2027, 1, 5), D(2027, 1, 12), 7, None, None),
    ("semana santa", "availability", D(2027, 3, 25), D(2027, 3, 28), 3, None, None),
    ("disponibilidad para el 15?", "availability", D(2026, 12, 15), None, None, None, None),
    ("tienen cabaña para 6 personas?", "availability", None, None, None, 6, None),
    ("hay cupo para una familia de 5", "availability", None, None, None, 5, None),
    ("Hay disponibilidad?", "availability", None, None, None, None, None),
    ("tienen algo libre?", "availability", None, None, None, None, None),
    ("Quiero reservar", "reserve", None, None, None, None, None),
    ("quiero reservar la cabaña del lago", "reserve", None, None, None, None, "cabana-del-lago"),
    ("me la quedo!", "reserve", None, None, None, None, None),
    ("la tomo", "reserve", None, None, None, None, None),
    ("quisiera hacer una reserva para 3 del 10 al 13 de enero", "reserve", D(2027, 1, 10), D(2027, 1, 13), 3, 3, None),
    ("reservame la del bosque", "reserve", None, None, None, None, "cabana-del-bosque"),
    ("cuanto sale?", "price", None, None, None, None, None),
    ("cuánto cuesta la noche?", "price", None, None, None, None, None),
    ("precio de la casa de la montaña", "price", None, None, None, None, "casa-de-la-montana"),
    ("q precio tiene la cabaña del lago x noche", "price", None, None, None, None, "cabana-del-lago"),
    ("cual es la tarifa para 4 personas del 3 al 5 de enero", "price", D(2027, 1, 3), D(2027, 1, 5), 2, 4, None),
    ("cuanto saldria el finde para dos", "price", D(2026, 11, 27), D(2026, 11, 29), 2, 2, None),
    ("tiene wifi?", "info", None, None, None, None, None),
    ("aceptan mascotas? tengo un perro", "info", None, None, None, None, None),
    ("donde queda la cabaña?", "info", None, None, None, None, None),
    ("me mandas fotos?", "info", None, None, None, None, None),
    ("a que hora es el check in", "info", None, None, None, None, None),
    ("tiene pileta la casa de la montaña?", "info", None, None, None, None, "casa-de-la-montana"),
    ("que servicios incluye", "info", None, None, None, None, None),
    ("hay parrilla?", "info", None, None, None, None, None),
    ("mis reservas", "my_reservations", None, None, None, None, None),
    ("tengo una reserva, como esta?", "my_reservations", None, None, None, None, None),
    ("quiero ver el estado de mi reserva", "my_reservations", None, None, None, None, None),
    ("quiero cancelar", "cancel", None, None, None, None, None),
    ("cancelame la reserva porfa", "cancel", None, None, None, None, None),
    ("ya no vamos, anulá todo", "cancel", None, None, None, None, None),
    ("quiero pagar", "pay", None, None, None, None, None),
    ("pasame el link de pago", "pay", None, None, None, None, None),
    # How to pay is a question (info, topic payment_methods), not the request to pay.
    ("como pago la seña?", "info", None, None, None, None, None),
    ("puedo pagar con mercado pago?", "info", None, None, None, None, None),
    ("ayuda", "help", None, None, None, None, None),
    ("que podes hacer?", "help", None, None, None, None, None),
    ("como funciona esto", "help", None, None, None, None, None),
    ("quiero hablar con una persona", "human", None, None, None, None, None),
    ("pasame con un humano", "human", None, None, None, None, None),
    ("necesito hablar con el dueño", "human", None, None, None, None, None),
    ("gracias!", "thanks", None, None, None, None, None),
    ("muchas gracias, chau", "thanks", None, None, None, None, None),
    ("buenisimo, nos vemos", "thanks", None, None, None, None, None),
    ("asdfgh", "unknown", None, None, None, None, None),
    ("ok", "affirm", None, None, None, None, None),
    ("DISPONIBILIDAD PARA DOS DEL 10 AL 12 DE ENERO", "availability", D(2027, 1, 10), D(2027, 1, 12), 2, 2, None),
    ("disponivilidad del 10 al 12 de enero", "availability", D(2027, 1, 10), D(2027, 1, 12), 2, None, None),
    (
        "tenés la del lago libre del 3 al 5 de enero?",
        "availability",
        D(2027, 1, 3),
        D(2027, 1, 5),
        2,
        None,
        "cabana-del-lago",
    ),
]


@pytest.mark.parametrize(("text", "intent", "check_in", "check_out", "nights", "guests", "cabin"), CASES)
def test_table(text: str, intent: str, check_in, check_out, nights, guests, cabin) -> None:
    got = parse(text, MONDAY, CABINS)
    assert (got.intent, got.check_in, got.check_out, got.nights, got.guests, got.accommodation) == (
        intent,
        check_in,
        check_out,
        nights,
        guests,
        cabin,
    )


def test_there_are_at_least_80_sentences() -> None:
    assert len({case[0] for case in CASES}) >= 80


def test_year_rolls_over_in_december() -> None:
    got = parse("hay lugar del 5 al 8 de enero?", date(2026, 12, 20))
    assert (got.check_in, got.check_out) == (date(2027, 1, 5), date(2027, 1, 8))
    assert parse("el 10", date(2026, 12, 20)).check_in == date(2027, 1, 10)


@pytest.mark.parametrize("today", [date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)])
def test_weekend_words_on_the_weekend(today: date) -> None:
    este = parse("este finde", today)
    proximo = parse("el proximo fin de semana", today)
    assert este.check_in is not None and este.check_out is not None
    assert este.check_in >= today and este.check_out > este.check_in
    assert proximo.check_in is not None and proximo.check_in >= este.check_in


def test_intents_are_the_api_enum() -> None:
    """nlu.INTENTS, in order, are the names of messaging.v1.Intent's values 0..15."""
    from cabanas.v1 import messaging_pb2
    from services.common import pb
    from services.messaging import nlu

    names = pb.enum_names(messaging_pb2.Intent, "INTENT_")
    assert tuple(names[n] for n in sorted(names)) == nlu.INTENTS
