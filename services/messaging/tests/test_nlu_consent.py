"""nlu.consent against its table (tests/nlu_table.py's CONSENT): opting out of our messages and
back in, and what only looks like it."""

import pytest

from services.messaging.nlu import consent
from services.messaging.tests.nlu_table import CONSENT


def test_the_table_has_both_ways_and_what_is_neither() -> None:
    said = [expected for _, expected in CONSENT]
    assert said.count("out") >= 25 and said.count("in") >= 8 and said.count(None) >= 15
    assert len({text for text, _ in CONSENT}) == len(CONSENT), "a case is repeated"


@pytest.mark.parametrize(("text", "expected"), CONSENT)
def test_consent(text: str, expected: str | None) -> None:
    assert consent(text) == expected
