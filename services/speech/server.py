"""gRPC adapter of the speech service.

Audio is decoded in a thread, then inference runs off the event loop in a
small thread pool (`AUDIO_WORKERS`, default 1, each using `AUDIO_CPU_THREADS`,
default half the cores): on a 2-core machine one transcription uses one core
and the other services keep the other. On a GPU, notes from different guests
are batched (batcher.py). At most `AUDIO_WORKERS + AUDIO_QUEUE_SIZE` requests
are accepted at once (each holds its audio, ≤ 16 MiB); beyond that
RESOURCE_EXHAUSTED, never unbounded memory. Health turns SERVING once the
model is loaded.
"""

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from prometheus_client import Counter, Gauge, Histogram

from cabanas.v1 import speech_pb2, speech_pb2_grpc
from services.common.grpc_server import Runtime, Service, abort_with_reason
from services.speech import model
from services.speech.audio import InvalidAudio, decode
from services.speech.batcher import Batcher
from services.speech.transcriber import Transcriber

log = logging.getLogger(__name__)
LANGUAGES = {"es", "en", "pt", "it", "fr", "de", "auto"}
TRANSCRIPTIONS = Counter("speech_transcriptions_total", "Transcription requests by outcome", ["outcome"])
SECONDS = Histogram(
    "speech_transcription_seconds", "Time to transcribe one note, queueing included",
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
)  # fmt: skip
QUEUE_DEPTH = Gauge("speech_queue_depth", "Notes accepted and not transcribed yet")


class SpeechServicer(speech_pb2_grpc.SpeechServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.settings = runtime.settings
        self.executor = ThreadPoolExecutor(max_workers=self.settings.audio_workers, thread_name_prefix="whisper")
        self.capacity = self.settings.audio_workers + self.settings.audio_queue_size
        self.in_flight = 0
        self.transcriber: Transcriber | None = None
        self.batcher: Batcher | None = None
        self._loading = asyncio.Lock()

    async def load(self) -> None:
        """Assemble (first start) and load the model once, off the event loop."""
        async with self._loading:
            if self.batcher is None:
                s = self.settings
                transcriber = await asyncio.get_running_loop().run_in_executor(self.executor, self._load)
                size = s.audio_batch_size or (8 if transcriber.device == "cuda" else 1)
                self.batcher = Batcher(
                    transcriber.transcribe, transcriber.transcribe_many, self.executor,
                    workers=s.audio_workers, size=size, window=s.audio_batch_window_ms / 1000,
                )  # fmt: skip
                self.transcriber = transcriber
                log.info(
                    "model loaded",
                    extra={
                        "model": self.transcriber.model_name,
                        "device": self.transcriber.device,
                        "compute_type": self.transcriber.compute_type,
                        "cpu_threads": s.audio_cpu_threads or "auto",
                        "batch_size": size,
                    },
                )

    def _load(self) -> Transcriber:
        directory, name = model.resolve(self.settings)
        return Transcriber(str(directory), name, self.settings.audio_device, self.settings.audio_cpu_threads)

    async def Transcribe(self, request: Any, context: Any) -> speech_pb2.TranscribeResponse:
        hint = (request.language_hint or "es").lower()
        if hint not in LANGUAGES:
            await abort_with_reason(
                context, grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_LANGUAGE", f"language {hint!r}"
            )
        if self.batcher is None:
            await abort_with_reason(
                context, grpc.StatusCode.UNAVAILABLE, "MODEL_LOADING", "The model is still loading."
            )
        if self.in_flight >= self.capacity:
            TRANSCRIPTIONS.labels("busy").inc()
            await abort_with_reason(
                context, grpc.StatusCode.RESOURCE_EXHAUSTED, "QUEUE_FULL", "Too many audios at once; try again shortly."
            )
        self.in_flight += 1
        QUEUE_DEPTH.set(self.in_flight)
        started = time.perf_counter()
        try:
            samples = await asyncio.to_thread(decode, request.audio, self.settings.audio_max_seconds)
            result = await self.batcher.transcribe(samples, None if hint == "auto" else hint)
        except InvalidAudio as exc:
            TRANSCRIPTIONS.labels("invalid").inc()
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, exc.reason, exc.message)
        except Exception:
            TRANSCRIPTIONS.labels("error").inc()
            raise
        finally:
            self.in_flight -= 1
            QUEUE_DEPTH.set(self.in_flight)
        TRANSCRIPTIONS.labels("ok").inc()
        SECONDS.observe(time.perf_counter() - started)
        return speech_pb2.TranscribeResponse(
            text=result.text,
            language=result.language,
            language_probability=result.language_probability,
            confidence=result.confidence,
            duration=result.duration,
            segments=[
                speech_pb2.Segment(
                    start=s.start, end=s.end, text=s.text, avg_logprob=s.avg_logprob, no_speech_prob=s.no_speech_prob
                )
                for s in result.segments
            ],
            model=result.model,
            device=result.device,
            compute_type=result.compute_type,
            processing_seconds=result.processing_seconds,
        )


async def _model_ready(servicer: SpeechServicer) -> None:
    await servicer.load()


SERVICE = Service(
    name="speech",
    descriptor=speech_pb2.DESCRIPTOR.services_by_name["SpeechService"],
    servicer=SpeechServicer,
    add_to_server=speech_pb2_grpc.add_SpeechServiceServicer_to_server,
    ready=_model_ready,
)
