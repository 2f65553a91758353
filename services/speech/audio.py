"""Audio bytes to 16 kHz mono samples with PyAV (FFmpeg inside the wheel, no
binary needed): OGG/Opus voice notes, MP3, M4A/AAC, WAV, AMR.

The length a container declares is only an early refusal: a file can claim 5 s
and hold hours. The guard is the samples themselves: decoding goes in chunks of
about a second and stops as soon as more than `max_seconds` came out, so a lying
file costs at most `max_seconds` of decoding and memory. The resampling is
faster_whisper.decode_audio's (the same s16 filter fed the same frames), so the
samples, and the transcripts, are the ones it gives."""

import io
from collections.abc import Iterator

import av
import numpy as np

from services.common.errors import DomainError, Kind

SAMPLE_RATE = 16_000
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's cap for audio


class InvalidAudio(DomainError):
    """Audio the caller sent that cannot be transcribed (INVALID_ARGUMENT)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(Kind.INVALID, reason, message)


def decode(data: bytes, max_seconds: float) -> np.ndarray:
    if not data:
        raise InvalidAudio("EMPTY_AUDIO", "El audio está vacío.")
    if len(data) > MAX_BYTES:
        raise InvalidAudio("AUDIO_TOO_LARGE", f"El audio pesa más de {MAX_BYTES // (1024 * 1024)} MiB.")
    limit = int(max_seconds * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    size = 0
    try:
        with av.open(io.BytesIO(data), "r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InvalidAudio("CORRUPT_AUDIO", "El archivo no tiene audio.")
            if container.duration and container.duration / av.time_base > max_seconds + 1:
                raise _too_long(max_seconds)  # cheap, but only when the file tells the truth
            for chunk in _resampled(container):
                chunks.append(chunk)
                size += chunk.size
                if size > limit:
                    raise _too_long(max_seconds)
    except (av.FFmpegError, ValueError, IndexError, OSError) as exc:
        raise InvalidAudio("CORRUPT_AUDIO", "No se pudo leer el audio.") from exc
    if size == 0:
        raise InvalidAudio("EMPTY_AUDIO", "El audio no tiene sonido.")
    samples = np.concatenate(chunks).astype(np.float32)
    samples /= 32768.0  # in place: one float copy, not two
    return samples


def _too_long(max_seconds: float) -> InvalidAudio:
    return InvalidAudio("AUDIO_TOO_LONG", f"El audio dura más de {max_seconds:.0f} segundos.")


def _resampled(container: av.container.InputContainer) -> Iterator[np.ndarray]:
    """s16 mono 16 kHz samples of the first audio stream, about a second at a time. Like
    decode_audio: undecodable frames are skipped and timestamps ignored (a FIFO regroups
    the frames, so gaps or overlaps in them neither pad nor drop samples)."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    fifo = av.AudioFifo()
    for frame in _valid_frames(container):
        frame.pts = None
        fifo.write(frame)
        if fifo.samples >= frame.sample_rate:
            yield from _arrays(resampler.resample(fifo.read()))
    if fifo.samples:
        yield from _arrays(resampler.resample(fifo.read()))
    yield from _arrays(resampler.resample(None))  # flush


def _valid_frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    frames = container.decode(audio=0)
    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except av.InvalidDataError:
            continue


def _arrays(frames: list[av.AudioFrame]) -> Iterator[np.ndarray]:
    for frame in frames:
        yield frame.to_ndarray().reshape(-1)
