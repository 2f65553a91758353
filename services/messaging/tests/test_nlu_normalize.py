"""The normal form and the side remarks (nlu/normalize.py, nlu/remarks.py)."""

import pytest

from services.messaging.nlu import normalize
from services.messaging.nlu.remarks import strip


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Holaaa!! buenaaas 😀", "hola buenas"),
        ("siiii dale 👍", "si dale ok"),
        ("nooo", "no"),
        ("Q precio tiene x noche?", "que precio tiene por noche"),
        ("xq no hay lugar el fin de semana?", "porque no hay lugar el finde"),
        ("mil gracias", "muchas gracias"),
        ("somos cuatro y un bebé", "somos 4 y un bebe"),
        ("la primera semana", "la primera semana"),  # an ordinal is no number
        ("cuantos cuartos", "cuantos cuartos"),
        ("$45.000 la noche", "$45000 la noche"),
        ("del 5.1 al 8.1", "del 5/1 al 8/1"),
        ("leer y creer", "leer y creer"),  # real double letters stay
        ("Cabaña del Niño", "cabana del nino"),
    ],
)
def test_normal_form(typed: str, normal: str) -> None:
    assert normalize(typed) == normal


@pytest.mark.parametrize(
    ("text", "left", "kinds"),
    [
        ("podemos hacer el checkout a las 11 de la manana", "podemos hacer el checkout xtimex", {"time"}),
        ("llegamos tipo 16 hs", "llegamos xtimex", {"time"}),
        ("chau buen finde", "chau xwishx", {"wish"}),
        ("$45000 la noche", "xmoneyx la noche", {"money"}),
        ("mi cel es 11 5555-5555", "mi cel es xphonex", {"phone"}),
        ("codigo r-8f3k2", "codigo xcodex", {"code"}),
        ("un nene de 5 anos", "un nene xagex", {"age"}),
        ("hablamos manana", "xlaterx", {"later"}),
        ("del 5 al 8 para 2", "del 5 al 8 para 2", set()),
    ],
)
def test_side_remarks_are_marked(text: str, left: str, kinds: set[str]) -> None:
    assert strip(text) == (left, frozenset(kinds))
