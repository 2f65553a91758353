"""The party extractor (nlu/party.py)."""

import pytest

from services.messaging.nlu import normalize
from services.messaging.nlu.party import Party, party_of
from services.messaging.nlu.remarks import strip


@pytest.mark.parametrize(
    ("text", "party"),
    [
        ("mi marido y yo con los 3 chicos", Party(5)),
        ("vamos 2 parejas", Party(4)),
        ("2 matrimonios y 2 nenes", Party(6)),
        ("voy con mi hija", Party(2)),
        ("3 adultos + 2 menores", Party(5)),
        ("somos 2 y un bebé", Party(3, babies=1)),
        ("vamos 6 amigos", Party(6)),
        ("yo y mi señora", Party(2)),
        ("2 adultos con 2 chicos", Party(4)),  # those counted before "con" include the writer
        ("tengo 2 perros", Party(pets=2)),
        ("somos 4 y 1 perro y 1 gato", Party(4, pets=2)),
        ("vamos con mis hijos", Party()),  # how many: the dialog asks
        ("no, para 3 no, somos 4", Party(4)),  # the last count said
        ("hablar con una persona", Party()),
        ("un nene de 5 años", Party(1)),  # the age is no count
    ],
)
def test_party(text: str, party: Party) -> None:
    assert party_of(strip(normalize(text))[0]) == party
