"""The NLU against the table of what guests write (nlu_table.py): accuracy per category printed
(intent only, and full: intent and every slot right), at least 95 % full overall."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from services.messaging.nlu import INTENTS, TOPICS, Parse, parse
from services.messaging.tests.nlu_table import CABINS, CASES, SLOTS, Case

MIN_FULL_ACCURACY = 0.95


def _got(case: Case, cabins: Mapping[str, str] = CABINS) -> Parse:
    return parse(case.text, case.today, cabins, case.expecting)


def _diff(case: Case, got: Parse) -> dict[str, tuple[Any, Any]]:
    """What differs, as {field: (expected, got)}."""
    expected: dict[str, Any] = {"intent": case.intent, "negated": case.negated, **case.expected()}
    if case.question is not None:
        expected["question"] = case.question
    return {k: (v, getattr(got, k)) for k, v in expected.items() if getattr(got, k) != v}


def accuracy(cases: Sequence[Case], cabins: Mapping[str, str]) -> tuple[float, str]:
    """Full accuracy over `cases`, and the report: intent and full accuracy per category, then
    each case that failed with what differs."""
    seen: dict[str, int] = defaultdict(int)
    intent_right: dict[str, int] = defaultdict(int)
    full_right: dict[str, int] = defaultdict(int)
    failures: list[str] = []
    for case in cases:
        diff = _diff(case, _got(case, cabins))
        seen[case.category] += 1
        intent_right[case.category] += "intent" not in diff
        full_right[case.category] += not diff
        if diff:
            failures.append(f"{case.text!r} ({case.category}, {case.expecting}): {diff}")
    lines = [f"\n{'category':<22}{'cases':>6}{'intent':>9}{'full':>8}"]
    for category, n in seen.items():
        lines.append(f"{category:<22}{n:>6}{intent_right[category] / n:>9.1%}{full_right[category] / n:>8.1%}")
    total = len(cases)
    full = sum(full_right.values()) / total
    lines.append(f"{'all':<22}{total:>6}{sum(intent_right.values()) / total:>9.1%}{full:>8.1%}")
    return full, "\n".join([*lines, *failures])


def test_the_table_is_large_and_well_formed() -> None:
    assert len(CASES) >= 400
    assert len({(c.text, c.expecting, c.today) for c in CASES}) == len(CASES), "a case is repeated"
    for case in CASES:
        assert case.intent in INTENTS, case
        assert set(case.slots) <= set(SLOTS), case
        assert set(case.slots.get("topics", ())) <= set(TOPICS), case
    assert {c.intent for c in CASES} == set(INTENTS), "every intent has cases"
    assert {t for c in CASES for t in c.slots.get("topics", ())} == set(TOPICS), "every topic has cases"


def test_an_unexpected_slot_fails_a_case() -> None:
    """The comparison is strict: a slot the case does not give must be empty."""
    case = next(c for c in CASES if c.text == "mil gracias")
    got = _got(case)
    assert not _diff(case, got)
    assert _diff(case, Parse(got.intent, guests=1000)) == {"guests": (None, 1000)}


def test_accuracy_per_category() -> None:
    full, report = accuracy(CASES, CABINS)
    print(report)  # noqa: T201 - the figures per category are what this test reports (pytest -s)
    assert full >= MIN_FULL_ACCURACY, f"full accuracy {full:.1%} < 95 %"
