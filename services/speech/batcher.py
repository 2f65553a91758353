"""Cross-request micro-batching of transcriptions.

On a GPU one note at a time leaves it mostly idle: a batch of notes costs
little more than one. Each worker takes the first waiting note, waits up to
the window for others in the same language to join (up to the batch size),
and runs them in one pass. While a batch runs, new notes queue up and form
the next one, so under load batches fill without waiting. With a batch size
of 1 (the CPU default) a note runs at once on its own: no window, no delay.
"""

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from prometheus_client import Histogram

BATCH_SIZE = Histogram("speech_batch_size", "Notes transcribed together", buckets=(1, 2, 4, 8, 16, 32))

R = TypeVar("R")  # what the model makes of one note (a Transcript)


@dataclass(eq=False)  # compared by identity (the samples are arrays)
class _Note(Generic[R]):
    samples: np.ndarray
    language: str | None
    done: asyncio.Future[R] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Batcher(Generic[R]):
    def __init__(
        self,
        single: Callable[[np.ndarray, str | None], R],
        many: Callable[[list[np.ndarray], str], list[R]],
        executor: Executor,
        workers: int,
        size: int,
        window: float,
    ) -> None:
        self.single, self.many, self.executor = single, many, executor
        self.size, self.window = size, window
        self.waiting: list[_Note[R]] = []
        self._arrived = asyncio.Condition()
        self._forming = asyncio.Lock()  # one worker forms a batch at a time: no note taken twice
        self._workers = [asyncio.create_task(self._work()) for _ in range(workers)]

    async def transcribe(self, samples: np.ndarray, language: str | None) -> R:
        note: _Note[R] = _Note(samples, language)
        async with self._arrived:
            self.waiting.append(note)
            self._arrived.notify_all()
        return await note.done

    async def close(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    async def _work(self) -> None:
        while True:
            batch = [n for n in await self._next_batch() if not n.done.cancelled()]  # callers that gave up
            if batch:
                await self._run(batch)

    async def _run(self, batch: list[_Note[R]]) -> None:
        loop = asyncio.get_running_loop()
        BATCH_SIZE.observe(len(batch))
        first = batch[0]
        results: list[R | Exception]
        try:
            if len(batch) == 1 or first.language is None:  # a batch of several always has its language
                results = [await loop.run_in_executor(self.executor, self.single, first.samples, first.language)]
            else:
                notes = [n.samples for n in batch]
                results = list(await loop.run_in_executor(self.executor, self.many, notes, first.language))
        except Exception as exc:  # noqa: BLE001 - every note of the batch gets the error
            results = [exc] * len(batch)
        for note, result in zip(batch, results, strict=True):
            if note.done.done():
                continue
            if isinstance(result, Exception):
                note.done.set_exception(result)
            else:
                note.done.set_result(result)

    async def _next_batch(self) -> list[_Note[R]]:
        """The oldest note and, within the window, up to `size` others in its language (a batch
        shares one language, so a note asking for detection goes alone)."""
        async with self._forming, self._arrived:
            await self._arrived.wait_for(lambda: bool(self.waiting))
            first = self.waiting[0]
            batching = self.size > 1 and first.language is not None
            deadline = time.monotonic() + self.window
            while batching and len(self._joinable(first)) < self.size and (left := deadline - time.monotonic()) > 0:
                try:
                    await asyncio.wait_for(self._arrived.wait(), left)
                except TimeoutError:
                    break
            batch = self._joinable(first) if batching else [first]
            for note in batch:
                self.waiting.remove(note)
            return batch

    def _joinable(self, first: _Note[R]) -> list[_Note[R]]:
        return [n for n in self.waiting if n.language == first.language][: self.size]
