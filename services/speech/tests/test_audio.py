"""audio.decode without the service: the samples are faster_whisper.decode_audio's (the
transcripts in test_speech.py were made with those), and each refusal has its reason.
A note that lies about its length: tests/hardening/test_02_lying_voice_note.py."""

import io
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from faster_whisper import decode_audio

from services.speech.audio import MAX_BYTES, SAMPLE_RATE, InvalidAudio, decode
from services.speech.tests.fixtures.make_fixtures import encode_opus

FIXTURES = Path(__file__).parent / "fixtures"
VOICE = FIXTURES / "disponibilidad.ogg"


def _voice(repeat: int = 1) -> np.ndarray:
    """The fixture's voice as 48 kHz float samples, `repeat` times over."""
    with av.open(str(VOICE)) as container:
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    return np.tile(samples.astype(np.float32), repeat)


def _encode(samples: np.ndarray, fmt: str, codec: str, sample_format: str, rate: int, layout: str) -> bytes:
    channels = np.stack([samples, samples * 0.3]) if layout == "stereo" else samples.reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(channels, format="fltp", layout=layout)
    frame.sample_rate = 48000
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, av.AudioStream)
        resampler = av.AudioResampler(format=sample_format, layout=layout, rate=rate)
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def _opus(samples: np.ndarray, tmp_path: Path) -> bytes:
    encode_opus(samples, 48000, tmp_path / "note.ogg")
    return (tmp_path / "note.ogg").read_bytes()


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.ogg")))
def test_fixture_samples_are_decode_audios(name: str) -> None:
    data = (FIXTURES / f"{name}.ogg").read_bytes()
    samples = decode(data, 300)
    assert samples.dtype == np.float32
    assert np.array_equal(samples, decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE))


@pytest.mark.parametrize(
    ("fmt", "codec", "sample_format", "rate", "layout"),
    [
        ("mp3", "libmp3lame", "s16p", 44100, "stereo"),
        ("mp4", "aac", "fltp", 48000, "stereo"),
        ("wav", "pcm_s16le", "s16", 22050, "mono"),
    ],
)
def test_other_containers_give_decode_audios_samples(
    fmt: str, codec: str, sample_format: str, rate: int, layout: str
) -> None:
    data = _encode(_voice(), fmt, codec, sample_format, rate, layout)
    assert np.array_equal(decode(data, 300), decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE))


def test_a_long_note_decoded_in_chunks_gives_decode_audios_samples(tmp_path: Path) -> None:
    """decode_audio resamples ~10 s at a time, decode ~1 s: the same samples all the same."""
    data = _opus(_voice(repeat=6), tmp_path)  # ~58 s
    samples = decode(data, 300)
    assert samples.size > 55 * SAMPLE_RATE
    assert np.array_equal(samples, decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE))


def test_max_seconds_is_counted_in_samples(tmp_path: Path) -> None:
    data = _opus(np.zeros(48000 * 10, dtype=np.float32), tmp_path)
    assert decode(data, 10).size <= 10 * SAMPLE_RATE
    with pytest.raises(InvalidAudio) as refused:
        decode(data, 9.5)  # declared 10 s is within the early check's 1 s slack: the samples refuse it
    assert refused.value.reason == "AUDIO_TOO_LONG"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "EMPTY_AUDIO"),
        (b"\x00" * (MAX_BYTES + 1), "AUDIO_TOO_LARGE"),
        (b"OggS" + bytes(range(256)) * 40, "CORRUPT_AUDIO"),
        (b"garbage", "CORRUPT_AUDIO"),
    ],
)
def test_refusals_have_their_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidAudio) as refused:
        decode(data, 300)
    assert refused.value.reason == reason and refused.value.message


def test_a_note_without_samples_is_empty() -> None:
    out = io.BytesIO()
    with wave.open(out, "wb") as header_only:
        header_only.setnchannels(1)
        header_only.setsampwidth(2)
        header_only.setframerate(SAMPLE_RATE)
    with pytest.raises(InvalidAudio) as refused:
        decode(out.getvalue(), 300)
    assert refused.value.reason == "EMPTY_AUDIO"


def test_a_note_declared_too_long_is_refused(tmp_path: Path) -> None:
    data = _opus(np.zeros(48000 * 25, dtype=np.float32), tmp_path)
    with pytest.raises(InvalidAudio) as refused:
        decode(data, 20)
    assert refused.value.reason == "AUDIO_TOO_LONG"
