"""gRPC adapter of the speech service.

Inference runs off the event loop in a small thread pool (`AUDIO_WORKERS`,
default 1, each using `AUDIO_CPU_THREADS`, default half the cores): on a
2-core machine one transcription uses one core and the other services keep
the other. At most `AUDIO_WORKERS + AUDIO_QUEUE_SIZE` requests are accepted at
once (each holds its audio, ≤ 16 MiB); beyond that RESOURCE_EXHAUSTED, never
unbounded memory. Health turns SERVING once the model is loaded.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc

from cabanas.v1 import speech_pb2, speech_pb2_grpc
from services.common.grpc_server import Runtime, Service, abort_with_reason
from services.speech import model
from services.speech.audio import InvalidAudio, decode
from services.speech.transcriber import Transcriber, Transcript

log = logging.getLogger(__name__)
LANGUAGES = {"es", "en", "pt", "it", "fr", "de", "auto"}


class SpeechServicer(speech_pb2_grpc.SpeechServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.settings = runtime.settings
        self.executor = ThreadPoolExecutor(max_workers=self.settings.audio_workers, thread_name_prefix="whisper")
        self.capacity = self.settings.audio_workers + self.settings.audio_queue_size
        self.in_flight = 0
        self.transcriber: Transcriber | None = None
        self._loading = asyncio.Lock()

    async def load(self) -> None:
        """Assemble (first start) and load the model once, off the event loop."""
        async with self._loading:
            if self.transcriber is None:
                s = self.settings
                self.transcriber = await asyncio.get_running_loop().run_in_executor(self.executor, self._load)
                log.info(
                    "model loaded",
                    extra={
                        "model": self.transcriber.model_name,
                        "device": self.transcriber.device,
                        "compute_type": self.transcriber.compute_type,
                        "cpu_threads": s.audio_cpu_threads or "auto",
                    },
                )

    def _load(self) -> Transcriber:
        directory, name = model.resolve(self.settings)
        return Transcriber(str(directory), name, self.settings.audio_device, self.settings.audio_cpu_threads)

    def _run(self, audio: bytes, language: str | None) -> Transcript:
        assert self.transcriber is not None
        return self.transcriber.transcribe(decode(audio, self.settings.audio_max_seconds), language)  # type: ignore[arg-type]

    async def Transcribe(self, request: Any, context: Any) -> speech_pb2.TranscribeResponse:
        hint = (request.language_hint or "es").lower()
        if hint not in LANGUAGES:
            await abort_with_reason(
                context, grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_LANGUAGE", f"language {hint!r}"
            )
        if self.transcriber is None:
            await abort_with_reason(
                context, grpc.StatusCode.UNAVAILABLE, "MODEL_LOADING", "The model is still loading."
            )
        if self.in_flight >= self.capacity:
            await abort_with_reason(
                context, grpc.StatusCode.RESOURCE_EXHAUSTED, "QUEUE_FULL", "Too many audios at once; try again shortly."
            )
        self.in_flight += 1
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                self.executor, self._run, request.audio, None if hint == "auto" else hint
            )
        except InvalidAudio as exc:
            await abort_with_reason(context, grpc.StatusCode.INVALID_ARGUMENT, exc.reason, exc.message)
        finally:
            self.in_flight -= 1
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
