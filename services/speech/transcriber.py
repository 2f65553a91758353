"""Whisper (faster-whisper / CTranslate2) on CUDA when present, else CPU.

Decoding is tuned for short voice notes in Spanish: the language is forced
(detection is unreliable on a few seconds), the VAD filter drops silence, the
previous text does not condition the next window (no runaway repetition), and
segments Whisper itself thinks are not speech (no_speech_prob > 0.6) are
dropped, so noise and silence give no invented text.

Confidence, in [0, 1]: the duration-weighted mean over the kept segments of
exp(avg_logprob) × (1 − no_speech_prob) — the mean token probability, discounted
by the chance that it was not speech at all; 0 when nothing was kept.
"""

import math
import os
import time
from dataclasses import dataclass, field

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel

from services.speech.audio import SAMPLE_RATE

NO_SPEECH_MAX = 0.6


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    language_probability: float
    confidence: float
    duration: float
    model: str
    device: str
    compute_type: str
    processing_seconds: float
    segments: list[Segment] = field(default_factory=list)


def pick_device(preference: str) -> tuple[str, str]:
    """(device, compute type): CUDA float16 when CTranslate2 sees a GPU, else CPU int8."""
    gpus = ctranslate2.get_cuda_device_count()
    if preference == "cuda" and gpus == 0:
        raise RuntimeError("AUDIO_DEVICE=cuda but CTranslate2 sees no CUDA device")
    if preference in ("cuda", "auto") and gpus > 0:
        return "cuda", "float16"
    return "cpu", "int8"


def cpu_threads(configured: int) -> int:
    return configured or max(1, (os.cpu_count() or 2) // 2)


def confidence(segments: list[Segment]) -> float:
    total = sum(s.end - s.start for s in segments)
    if total <= 0:
        return 0.0
    weighted = sum((s.end - s.start) * math.exp(s.avg_logprob) * (1 - s.no_speech_prob) for s in segments)
    return max(0.0, min(1.0, weighted / total))


class Transcriber:
    def __init__(self, model_dir: str, model_name: str, device_preference: str, threads: int) -> None:
        self.device, self.compute_type = pick_device(device_preference)
        self.model_name = model_name
        self.model = WhisperModel(
            model_dir, device=self.device, compute_type=self.compute_type, cpu_threads=cpu_threads(threads)
        )

    def transcribe(self, samples: np.ndarray, language: str) -> Transcript:
        started = time.perf_counter()
        raw, info = self.model.transcribe(
            samples, language=language, vad_filter=True, condition_on_previous_text=False, beam_size=5
        )
        kept = [
            Segment(s.start, s.end, s.text.strip(), s.avg_logprob, s.no_speech_prob)
            for s in raw
            if s.no_speech_prob <= NO_SPEECH_MAX and s.text.strip()
        ]
        return Transcript(
            text=" ".join(s.text for s in kept),
            language=info.language,
            language_probability=float(info.language_probability),
            confidence=confidence(kept),
            duration=samples.size / SAMPLE_RATE,
            model=self.model_name,
            device=self.device,
            compute_type=self.compute_type,
            processing_seconds=time.perf_counter() - started,
            segments=kept,
        )
