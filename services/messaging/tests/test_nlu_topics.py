"""The topics, cabins and intents tables (nlu/topics.py, nlu/cabins.py, nlu/intents.py)."""

import pytest

from services.messaging.nlu import normalize
from services.messaging.nlu.cabins import cabin_of
from services.messaging.nlu.intents import answer_of, find
from services.messaging.nlu.topics import topics_of

CABINS = {
    "cabana-del-lago": "Cabaña del Lago",
    "casa-grande": "Casa Grande",
    "casa-de-la-montana": "Casa de la Montaña",
    "refugio-del-bosque": "Refugio del Bosque",
}


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("tiene wifi? y parrilla? aceptan perros?", ("wifi", "grill", "pets")),  # in the order asked
        ("si cancelo me devuelven la seña?", ("cancellation_policy",)),  # the deposit is inside the question
        ("cuanto es la seña?", ("deposit",)),
        ("como pago?", ("payment_methods",)),
        ("hay lugar del 5 al 8?", ()),
    ],
)
def test_topics(text: str, topics: tuple[str, ...]) -> None:
    assert topics_of(normalize(text)) == topics


def test_what_the_guest_does_asks_nothing() -> None:
    text = normalize("ya pague la seña")
    assert topics_of(text) == ("deposit",)
    assert topics_of(text, [(0, len(text))]) == ()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("la del lago", "cabana-del-lago"),
        ("dale la casa grande", "casa-grande"),
        ("la grande", "casa-grande"),
        ("la de la montana", "casa-de-la-montana"),
        ("que tan cerca esta del lago", None),  # a word of a name alone names nothing
        ("me quedo con el refugio", "refugio-del-bosque"),  # a first word that is a name
    ],
)
def test_cabins(text: str, slug: str | None) -> None:
    assert cabin_of(normalize(text), CABINS) == slug


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("si dale gracias", "affirm"),
        ("de una", "affirm"),
        ("no gracias", "deny"),
        ("mejor no", "deny"),
        ("si cancelo", None),
    ],
)
def test_yes_and_no(text: str, answer: str | None) -> None:
    assert answer_of(normalize(text)) == answer


def test_a_request_after_a_no_is_refused_within_its_clause() -> None:
    assert find("no quiero cancelar xpausex quiero pagar", []).intent == "pay"
    refused = find("no xpausex no la canceles", [])
    assert (refused.intent, refused.negated) == ("cancel", True)
    assert find("no xpausex cancelala", []).negated is False  # the "no" answers something else
