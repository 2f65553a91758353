"""The intake's rules, with a stand-in for the model (no Whisper here): which
language it forces, when it refuses a note, and that a refused or failed note
gives its place back."""

import asyncio
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from services.common.errors import DomainError, Kind
from services.speech.batcher import Batcher
from services.speech.intake import Intake
from services.speech.transcriber import Transcript

NOTE = (Path(__file__).parent / "fixtures" / "reserva.ogg").read_bytes()


class Model:
    """Answers with the language it was asked to force ("detect" for none); holds each call while `gate` is closed."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()

    def single(self, samples: np.ndarray, language: str | None) -> Transcript:
        self.gate.wait(10)
        return Transcript(language or "detect", "es", 1.0, 1.0, samples.size / 16_000, "fake", "cpu", "int8", 0.0)

    def many(self, notes: list[np.ndarray], language: str) -> list[Transcript]:
        return [self.single(n, language) for n in notes]


@pytest.fixture
def model() -> Model:
    return Model()


@pytest.fixture
async def intake(model: Model) -> AsyncIterator[Intake]:
    with ThreadPoolExecutor(1) as executor:
        batcher = Batcher(model.single, model.many, executor, workers=1, size=1, window=0)
        yield Intake(capacity=2, max_seconds=60, batcher=batcher)
        model.gate.set()
        await batcher.close()


def refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[Kind, str]:
    return exc.value.kind, exc.value.reason


@pytest.mark.parametrize(("hint", "forced"), [("", "es"), ("PT", "pt"), ("auto", "detect")])
async def test_spanish_unless_asked_and_auto_detects(intake: Intake, hint: str, forced: str) -> None:
    assert (await intake.transcribe(NOTE, hint)).text == forced


async def test_an_unknown_language_is_invalid(intake: Intake) -> None:
    with pytest.raises(DomainError) as exc:
        await intake.transcribe(NOTE, "xx")
    assert refusal(exc) == (Kind.INVALID, "UNSUPPORTED_LANGUAGE")


async def test_no_note_is_taken_while_the_model_loads() -> None:
    with pytest.raises(DomainError) as exc:
        await Intake(capacity=2, max_seconds=60).transcribe(NOTE, "es")
    assert refusal(exc) == (Kind.UNAVAILABLE, "MODEL_LOADING")


async def test_bad_audio_is_invalid_and_gives_its_place_back(intake: Intake) -> None:
    with pytest.raises(DomainError) as exc:
        await intake.transcribe(b"", "es")
    assert refusal(exc) == (Kind.INVALID, "EMPTY_AUDIO")
    assert intake.in_flight == 0


async def test_beyond_capacity_is_exhausted_until_a_place_frees(intake: Intake, model: Model) -> None:
    model.gate.clear()
    held = [asyncio.create_task(intake.transcribe(NOTE, "es")) for _ in range(intake.capacity)]
    await asyncio.sleep(0)  # each takes its place before its first await
    assert intake.in_flight == intake.capacity
    with pytest.raises(DomainError) as exc:
        await intake.transcribe(NOTE, "es")
    assert refusal(exc) == (Kind.EXHAUSTED, "QUEUE_FULL")
    model.gate.set()
    assert [t.text for t in await asyncio.gather(*held)] == ["es", "es"]
    assert intake.in_flight == 0
    assert (await intake.transcribe(NOTE, "es")).text == "es"
