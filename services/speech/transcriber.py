"""Whisper (faster-whisper / CTranslate2) on CUDA when present, else CPU.

Decoding is tuned for short voice notes in Spanish: the language is forced
(detection is unreliable on a few seconds), the VAD filter drops silence, the
previous text does not condition the next window (no runaway repetition), and
segments Whisper itself thinks are not speech (no_speech_prob > 0.6) are
dropped, so noise and silence give no invented text.

Several notes at once (`transcribe_many`, used on a GPU by the micro-batcher)
go through faster-whisper's batched pipeline as one call: each note's speech
(VAD) becomes clips of ≤ 30 s, the notes are laid end to end and the clips of
all of them are decoded in batches; each segment goes back to the note it
came from. The batched pipeline decodes with one temperature (no fallback),
which is why one note alone on a CPU keeps the sequential `transcribe`.

Spanish notes alone (`transcribe`, the CPU's path) are decoded after a
domain prompt (`DOMAIN_PROMPT`): Whisper reads it as the text that came
before the note, so "seña", "finde largo", "cabaña" and the months come out
right more often ("señal del tinde" without it). It is a sentence as a guest
would write it, not a word list: Whisper continues a style, and the list
measured worse. It goes in as faster-whisper's `hotwords`, put before every
30 s window (`initial_prompt` would reach only the first one once previous
text is not carried over). The batched pipeline gets no prompt: there it made
everyday Spanish worse (it even wrote "¿Cuánto es la seña?" over a note that
said nothing of the kind). Other languages get none either. Figures, and how
to measure another wording: bench/speech_prompt.py and the README.

Confidence, in [0, 1]: the duration-weighted mean over the kept segments of
exp(avg_logprob) × (1 − no_speech_prob) — the mean token probability, discounted
by the chance that it was not speech at all; 0 when nothing was kept.
"""

import bisect
import math
import os
import time
from dataclasses import dataclass, field

import ctranslate2
import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from services.speech.audio import SAMPLE_RATE

NO_SPEECH_MAX = 0.6
# The batched pipeline's own VAD settings: speech cut into clips Whisper reads in one window.
CLIP_VAD = VadOptions(max_speech_duration_s=30, min_silence_duration_ms=160)
CLIPS_PER_BATCH = 16
# Chosen in bench/speech_prompt.py: the wording that lowered WER on the domain notes and the
# fixtures without raising it on everyday Spanish (word lists and cabin names did not).
DOMAIN_PROMPT = (
    "Hola, quería reservar una cabaña para el finde largo. ¿Cuánto es la seña? Somos cuatro personas, entre enero,"
    " febrero, marzo, abril, mayo, junio, julio, agosto, septiembre, octubre, noviembre o diciembre."
)


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


def speech_clips(samples: np.ndarray) -> list[tuple[int, int]]:
    """Where the note speaks, as (start, end) sample ranges of at most 30 s: neighbouring
    speech is merged (the pause stays in) since Whisper does worse on fragments."""
    limit = int(CLIP_VAD.max_speech_duration_s * SAMPLE_RATE)
    clips: list[tuple[int, int]] = []
    for t in get_speech_timestamps(samples, CLIP_VAD):
        if clips and t["end"] - clips[-1][0] <= limit:
            clips[-1] = (clips[-1][0], t["end"])
        else:
            clips.append((t["start"], t["end"]))
    return clips


def confidence(segments: list[Segment]) -> float:
    total = sum(s.end - s.start for s in segments)
    if total <= 0:
        return 0.0
    weighted = sum((s.end - s.start) * math.exp(s.avg_logprob) * (1 - s.no_speech_prob) for s in segments)
    return max(0.0, min(1.0, weighted / total))


class Transcriber:
    def __init__(
        self, model_dir: str, model_name: str, device_preference: str, threads: int, prompt: str | None = DOMAIN_PROMPT
    ) -> None:
        """`prompt`: what a Spanish note alone is decoded after; None for none (the benchmark's baseline)."""
        self.device, self.compute_type = pick_device(device_preference)
        self.model_name = model_name
        self.prompt = prompt
        self.model = WhisperModel(
            model_dir, device=self.device, compute_type=self.compute_type, cpu_threads=cpu_threads(threads)
        )
        self.pipeline = BatchedInferencePipeline(self.model)

    def transcribe(self, samples: np.ndarray, language: str | None) -> Transcript:
        started = time.perf_counter()
        raw, info = self.model.transcribe(
            samples,
            language=language,
            vad_filter=True,
            condition_on_previous_text=False,
            beam_size=5,
            hotwords=self._prompt(language),
        )
        kept = [Segment(s.start, s.end, s.text.strip(), s.avg_logprob, s.no_speech_prob) for s in raw]
        return self._result(samples, kept, info.language, float(info.language_probability), started)

    def transcribe_many(self, notes: list[np.ndarray], language: str) -> list[Transcript]:
        """Several notes in one batched pass; the language must be given (no detection)."""
        started = time.perf_counter()
        offsets: list[int] = []
        clips: list[dict[str, float]] = []
        for samples in notes:
            offset = offsets[-1] + notes[len(offsets) - 1].size if offsets else 0
            offsets.append(offset)
            clips += [
                {"start": (offset + start) / SAMPLE_RATE, "end": (offset + end) / SAMPLE_RATE}
                for start, end in speech_clips(samples)
            ]
        found: list[list[Segment]] = [[] for _ in notes]
        if clips:  # no clips at all would make the pipeline run its VAD over everything
            raw, _ = self.pipeline.transcribe(
                np.concatenate(notes),
                language=language,
                clip_timestamps=clips,
                batch_size=CLIPS_PER_BATCH,
                beam_size=5,
                condition_on_previous_text=False,
            )
            for s in raw:
                middle = (s.start + s.end) / 2  # times come back rounded to ms: the ends may cross a boundary
                note = bisect.bisect_right(offsets, middle * SAMPLE_RATE) - 1
                at = offsets[note] / SAMPLE_RATE
                found[note].append(
                    Segment(max(0.0, s.start - at), s.end - at, s.text.strip(), s.avg_logprob, s.no_speech_prob)
                )
        return [self._result(n, segs, language, 1.0, started) for n, segs in zip(notes, found, strict=True)]

    def _prompt(self, language: str | None) -> str | None:
        """Only a note known to be Spanish: a detected language is not known before decoding starts."""
        return self.prompt if language == "es" else None

    def _result(
        self, samples: np.ndarray, segments: list[Segment], language: str, probability: float, started: float
    ) -> Transcript:
        kept = [s for s in segments if s.no_speech_prob <= NO_SPEECH_MAX and s.text]
        return Transcript(
            text=" ".join(s.text for s in kept),
            language=language,
            language_probability=probability,
            confidence=confidence(kept),
            duration=samples.size / SAMPLE_RATE,
            model=self.model_name,
            device=self.device,
            compute_type=self.compute_type,
            processing_seconds=time.perf_counter() - started,
            segments=kept,
        )
