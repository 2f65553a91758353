"""The micro-batcher's rules, with stand-ins for the model (no Whisper here)."""

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from services.speech.batcher import Batcher


class Model:
    """Records what it was asked: each call's notes (a note is tagged by its first sample)."""

    def __init__(self, seconds: float = 0.05, fail: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.seconds, self.fail = seconds, fail

    def single(self, samples: np.ndarray, language: str | None) -> str:
        return self.many([samples], language or "auto")[0]

    def many(self, notes: list[np.ndarray], language: str) -> list[str]:
        self.calls.append([int(n[0]) for n in notes])
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("CUDA out of memory")
        return [f"{language}:{int(n[0])}" for n in notes]


def note(tag: int) -> np.ndarray:
    return np.full(16, tag, dtype=np.float32)


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2) as pool:
        yield pool


async def test_concurrent_notes_share_a_batch_and_get_their_own_result(executor: ThreadPoolExecutor) -> None:
    model = Model()
    batcher = Batcher(model.single, model.many, executor, workers=1, size=8, window=0.05)
    results = await asyncio.gather(*(batcher.transcribe(note(i), "es") for i in range(5)))
    await batcher.close()
    assert results == [f"es:{i}" for i in range(5)]
    assert model.calls == [[0, 1, 2, 3, 4]]


async def test_batch_size_caps_a_batch_and_the_rest_form_the_next(executor: ThreadPoolExecutor) -> None:
    model = Model()
    batcher = Batcher(model.single, model.many, executor, workers=1, size=3, window=0.05)
    results = await asyncio.gather(*(batcher.transcribe(note(i), "es") for i in range(7)))
    await batcher.close()
    assert results == [f"es:{i}" for i in range(7)]
    assert model.calls == [[0, 1, 2], [3, 4, 5], [6]]


async def test_size_one_runs_at_once_without_waiting_the_window(executor: ThreadPoolExecutor) -> None:
    model = Model(seconds=0)
    batcher = Batcher(model.single, model.many, executor, workers=1, size=1, window=5)
    started = time.perf_counter()
    assert await batcher.transcribe(note(1), "es") == "es:1"
    assert time.perf_counter() - started < 1
    await batcher.close()


async def test_a_lone_note_waits_at_most_the_window(executor: ThreadPoolExecutor) -> None:
    model = Model(seconds=0)
    batcher = Batcher(model.single, model.many, executor, workers=1, size=8, window=0.1)
    started = time.perf_counter()
    assert await batcher.transcribe(note(1), "es") == "es:1"
    assert 0.09 <= time.perf_counter() - started < 1
    await batcher.close()


async def test_languages_are_not_mixed_and_detection_goes_alone(executor: ThreadPoolExecutor) -> None:
    model = Model()
    batcher = Batcher(model.single, model.many, executor, workers=1, size=8, window=0.05)
    asks = [(0, "es"), (1, "pt"), (2, "es"), (3, None), (4, "pt")]
    results = await asyncio.gather(*(batcher.transcribe(note(i), lang) for i, lang in asks))
    await batcher.close()
    assert results == ["es:0", "pt:1", "es:2", "auto:3", "pt:4"]
    assert sorted(model.calls) == [[0, 2], [1, 4], [3]]


async def test_a_failed_batch_fails_each_of_its_notes_and_the_batcher_goes_on(executor: ThreadPoolExecutor) -> None:
    model = Model(fail=True)
    batcher = Batcher(model.single, model.many, executor, workers=1, size=4, window=0.05)
    results = await asyncio.gather(*(batcher.transcribe(note(i), "es") for i in range(3)), return_exceptions=True)
    assert [str(r) for r in results] == ["CUDA out of memory"] * 3
    model.fail = False
    assert await batcher.transcribe(note(9), "es") == "es:9"
    await batcher.close()


async def test_a_caller_that_gives_up_is_dropped_from_its_batch(executor: ThreadPoolExecutor) -> None:
    model = Model()
    batcher = Batcher(model.single, model.many, executor, workers=1, size=8, window=0.2)
    gone = asyncio.create_task(batcher.transcribe(note(0), "es"))
    stays = asyncio.create_task(batcher.transcribe(note(1), "es"))
    await asyncio.sleep(0.05)
    gone.cancel()
    assert await stays == "es:1"
    await batcher.close()
    assert model.calls == [[1]]


async def test_two_workers_never_take_a_note_twice(executor: ThreadPoolExecutor) -> None:
    model = Model(seconds=0.02)
    batcher = Batcher(model.single, model.many, executor, workers=2, size=4, window=0.01)
    results = await asyncio.gather(*(batcher.transcribe(note(i), "es") for i in range(40)))
    await batcher.close()
    assert results == [f"es:{i}" for i in range(40)]
    assert sorted(tag for call in model.calls for tag in call) == list(range(40))
