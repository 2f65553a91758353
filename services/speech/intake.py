"""One note from request to transcript: the language is checked, the note is
admitted if there is room, its audio is decoded in a thread and it joins the
batcher's queue.

At most `capacity` notes (`AUDIO_WORKERS + AUDIO_QUEUE_SIZE`) are accepted at
once, each holding its audio (≤ 16 MiB); beyond that QUEUE_FULL, never
unbounded memory.
"""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

from services.common.errors import DomainError, Kind, invalid, unavailable
from services.speech.audio import InvalidAudio, decode
from services.speech.batcher import Batcher
from services.speech.transcriber import Transcript

LANGUAGES = {"es", "en", "pt", "it", "fr", "de", "auto"}
TRANSCRIPTIONS = Counter("speech_transcriptions_total", "Transcription requests by outcome", ["outcome"])
SECONDS = Histogram(
    "speech_transcription_seconds",
    "Time to transcribe one note, queueing included",
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
)
QUEUE_DEPTH = Gauge("speech_queue_depth", "Notes accepted and not transcribed yet")


def language(hint: str) -> str | None:
    """The language to force, Spanish unless asked otherwise; None means detect it ("auto")."""
    chosen = (hint or "es").lower()
    if chosen not in LANGUAGES:
        raise invalid("UNSUPPORTED_LANGUAGE", f"language {chosen!r}")
    return None if chosen == "auto" else chosen


@dataclass
class Intake:
    capacity: int
    max_seconds: float
    batcher: Batcher[Transcript] | None = None  # set once the model is loaded
    in_flight: int = 0

    async def transcribe(self, audio: bytes, hint: str) -> Transcript:
        forced = language(hint)
        if self.batcher is None:
            raise unavailable("MODEL_LOADING", "The model is still loading.")
        with self._admitted():
            started = time.perf_counter()
            try:
                samples = await asyncio.to_thread(decode, audio, self.max_seconds)
                result = await self.batcher.transcribe(samples, forced)
            except InvalidAudio:
                TRANSCRIPTIONS.labels("invalid").inc()
                raise
            except Exception:
                TRANSCRIPTIONS.labels("error").inc()
                raise
        TRANSCRIPTIONS.labels("ok").inc()
        SECONDS.observe(time.perf_counter() - started)
        return result

    @contextmanager
    def _admitted(self) -> Iterator[None]:
        if self.in_flight >= self.capacity:
            TRANSCRIPTIONS.labels("busy").inc()
            raise DomainError(Kind.EXHAUSTED, "QUEUE_FULL", "Too many audios at once; try again shortly.")
        self.in_flight += 1
        QUEUE_DEPTH.set(self.in_flight)
        try:
            yield
        finally:
            self.in_flight -= 1
            QUEUE_DEPTH.set(self.in_flight)
