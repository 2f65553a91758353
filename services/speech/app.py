"""The speech service's parts: the Whisper model, loaded once when readiness
first asks, and the intake that admits notes and hands them to the batcher.

Inference runs off the event loop in a small thread pool (`AUDIO_WORKERS`,
default 1, each using `AUDIO_CPU_THREADS`, default half the cores): on a
2-core machine one transcription uses one core and the other services keep
the other. On a GPU, notes from different guests are batched (batcher.py).
Health turns SERVING once the model is loaded.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from services.common.grpc_server import App, Runtime
from services.common.settings import Settings
from services.speech import model
from services.speech.batcher import Batcher
from services.speech.intake import Intake
from services.speech.transcriber import Transcriber, Transcript

log = logging.getLogger(__name__)


@dataclass
class SpeechApp(App):
    settings: Settings
    executor: ThreadPoolExecutor  # where the model runs
    intake: Intake
    transcriber: Transcriber | None = None  # None until loaded
    _loading: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    async def ready(self) -> None:
        """Assemble (first start) and load the model once, off the event loop."""
        async with self._loading:
            if self.transcriber is None:
                transcriber = await asyncio.get_running_loop().run_in_executor(self.executor, self._load)
                self.intake.batcher = self._batcher(transcriber)
                self.transcriber = transcriber

    async def close(self) -> None:
        if self.intake.batcher is not None:
            await self.intake.batcher.close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def _load(self) -> Transcriber:
        directory, name = model.resolve(self.settings)
        return Transcriber(str(directory), name, self.settings.audio_device, self.settings.audio_cpu_threads)

    def _batcher(self, transcriber: Transcriber) -> Batcher[Transcript]:
        s = self.settings
        size = s.audio_batch_size or (8 if transcriber.device == "cuda" else 1)
        log.info(
            "model loaded",
            extra={
                "model": transcriber.model_name,
                "device": transcriber.device,
                "compute_type": transcriber.compute_type,
                "cpu_threads": s.audio_cpu_threads or "auto",
                "batch_size": size,
            },
        )
        return Batcher(
            transcriber.transcribe,
            transcriber.transcribe_many,
            self.executor,
            workers=s.audio_workers,
            size=size,
            window=s.audio_batch_window_ms / 1000,
        )


async def build(runtime: Runtime) -> SpeechApp:
    s = runtime.settings
    return SpeechApp(
        settings=s,
        executor=ThreadPoolExecutor(max_workers=s.audio_workers, thread_name_prefix="whisper"),
        intake=Intake(capacity=s.audio_workers + s.audio_queue_size, max_seconds=s.audio_max_seconds),
    )
