"""Audio bytes to 16 kHz mono samples with PyAV (FFmpeg inside the wheel, no
binary needed): OGG/Opus voice notes, MP3, M4A/AAC, WAV, AMR."""

import io

import av
import numpy as np
from faster_whisper import decode_audio

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
    try:
        with av.open(io.BytesIO(data), "r") as container:  # refuse long audio before decoding all of it
            if not container.streams.audio:
                raise InvalidAudio("CORRUPT_AUDIO", "El archivo no tiene audio.")
            declared = container.duration / av.time_base if container.duration else 0.0
        if declared > max_seconds + 1:
            raise InvalidAudio("AUDIO_TOO_LONG", f"El audio dura más de {max_seconds:.0f} segundos.")
        samples: np.ndarray = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except (av.FFmpegError, ValueError, IndexError, OSError) as exc:
        raise InvalidAudio("CORRUPT_AUDIO", "No se pudo leer el audio.") from exc
    if samples.size == 0:
        raise InvalidAudio("EMPTY_AUDIO", "El audio no tiene sonido.")
    if samples.size / SAMPLE_RATE > max_seconds:
        raise InvalidAudio("AUDIO_TOO_LONG", f"El audio dura más de {max_seconds:.0f} segundos.")
    return samples
