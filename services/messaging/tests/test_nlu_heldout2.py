"""The second blind batch (nlu_heldout2.py: voice transcripts, long paragraphs, short answers in
context, tricky intents), read as the dialog reads it: at least 95 % fully right. Accuracy per
category, intent alone and in full, is printed (pytest -s)."""

from services.messaging.tests.nlu_heldout2 import CABINS, CASES
from services.messaging.tests.test_nlu_table import MIN_FULL_ACCURACY, accuracy


def test_second_heldout_accuracy() -> None:
    full, report = accuracy(CASES, CABINS)
    print(report)  # noqa: T201 - the figures per category are what this test reports (pytest -s)
    assert full >= MIN_FULL_ACCURACY, f"full accuracy {full:.1%} < 95 %"
