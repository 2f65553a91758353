"""2. A voice note that lies about its length.

An OGG/Opus note whose pages declare 5 s but which holds an hour of audio. The speech
service believes only the samples it decodes: it stops once `AUDIO_MAX_SECONDS` of them
came out and refuses the note with AUDIO_TOO_LONG, in a fraction of a second and a few
MiB (decoding it whole took 5.2 s of CPU and +554 MiB of memory)."""

import io
import struct
import time
import tracemalloc
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import httpx
import numpy as np
import psutil
import pytest

from services.speech.audio import InvalidAudio, decode
from tests.stack import Stack, admin_token

REAL_SECONDS = 3600
CLAIMED_SECONDS = 5
MAX_SECONDS = 300  # AUDIO_MAX_SECONDS's default
OPUS_RATE = 48_000  # Ogg/Opus granule positions count 48 kHz samples, whatever the input rate
PACKET = OPUS_RATE * 60 // 1000  # 60 ms packets: fewer to mux


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = (crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


CRC_TABLE = _crc_table()


def ogg_crc(page: bytes | bytearray) -> int:
    """Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0, no final xor;
    computed over the page with its CRC field zeroed."""
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def pages(ogg: bytes) -> Iterator[bytes]:
    """A page: 27-byte header (granule position at 6, CRC at 22, segment count at 26), the
    segment sizes, then the data."""
    at = 0
    while at < len(ogg):
        assert ogg[at : at + 4] == b"OggS", at
        segments = ogg[at + 26]
        end = at + 27 + segments + sum(ogg[at + 27 : at + 27 + segments])
        yield ogg[at:end]
        at = end


def long_quiet_opus(seconds: int) -> bytes:
    """`seconds` of faint noise, Ogg/Opus at 6 kb/s. libopus encodes one minute; the muxer
    carries that minute's packets again and again (encoding the whole hour takes ~5 s)."""
    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=16000, layout="mono", options={"frame_duration": "60"})
        stream.bit_rate = 6000
        noise = (np.random.default_rng(2).standard_normal((1, 16000 * 60)) * 30).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(noise, format="s16", layout="mono")
        frame.sample_rate, frame.pts = 16000, 0
        minute = [bytes(packet) for packet in stream.encode(frame)]
        for n in range(seconds * OPUS_RATE // PACKET):
            packet = av.Packet(minute[n % len(minute)])
            packet.stream, packet.time_base = stream, Fraction(1, OPUS_RATE)
            packet.pts = packet.dts = n * PACKET
            packet.duration = PACKET
            container.mux(packet)
    return out.getvalue()


def claiming(ogg: bytes, seconds: int) -> bytes:
    """The same pages with their granule positions scaled so the last one says `seconds`,
    each with its CRC recomputed: what a demuxer reads as the duration."""
    last = _granule(list(pages(ogg))[-1])
    out = bytearray()
    for original in pages(ogg):
        page = bytearray(original)
        if _granule(page) > 0:  # 0: the headers; -1: no packet ends on this page
            struct.pack_into("<q", page, 6, _granule(page) * seconds * OPUS_RATE // last)
        struct.pack_into("<I", page, 22, 0)
        struct.pack_into("<I", page, 22, ogg_crc(page))
        out += page
    return bytes(out)


def _granule(page: bytes | bytearray) -> int:
    return int(struct.unpack_from("<q", page, 6)[0])


@pytest.fixture(scope="module")
def honest() -> bytes:
    return long_quiet_opus(REAL_SECONDS)


@pytest.fixture(scope="module")
def lying(honest: bytes) -> bytes:
    return claiming(honest, CLAIMED_SECONDS)


def test_the_crc_is_oggs(honest: bytes) -> None:
    for page in list(pages(honest))[:5]:
        assert ogg_crc(page[:22] + bytes(4) + page[26:]) == struct.unpack_from("<I", page, 22)[0]


def test_the_note_claims_seconds_and_holds_an_hour(lying: bytes) -> None:
    with av.open(io.BytesIO(lying), "r") as container:
        assert container.duration is not None
        assert container.duration / av.time_base == pytest.approx(CLAIMED_SECONDS, abs=0.1)
        # Each packet's length is in its own first byte (Opus's TOC), not in the pages.
        held = sum(packet.duration or 0 for packet in container.demux(audio=0)) / OPUS_RATE
    assert held == pytest.approx(REAL_SECONDS, abs=1)
    assert len(lying) < 16 * 1024 * 1024  # WhatsApp takes it


def test_decoding_stops_at_max_seconds(lying: bytes) -> None:
    tracemalloc.start()
    cpu = time.process_time()
    try:
        with pytest.raises(InvalidAudio) as refused:
            decode(lying, MAX_SECONDS)
        cpu = time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.reason == "AUDIO_TOO_LONG"
    assert cpu < 0.6  # ~0.3 s here: 300 s of audio; the whole hour took 5.2 s
    assert peak < 50 * 2**20  # ~9 MiB: 300 s of samples; the whole hour took 554 MiB


def _high_water_mark(pid: int) -> int:
    """The process's peak resident memory (Linux's VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) * 1024


def test_the_gateway_refuses_it_cheaply(stack: Stack, lying: bytes) -> None:
    speech = psutil.Process(stack.processes["speech"].pid)
    cpu, peak = sum(speech.cpu_times()[:2]), _high_water_mark(speech.pid)
    reply = httpx.post(
        f"{stack.gateway_url}/api/v1/admin/audio/transcribe",
        files={"file": ("nota.ogg", lying, "audio/ogg")},
        headers={"Authorization": f"Bearer {admin_token()}"},
        timeout=120,
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "audio_too_long"
    assert _high_water_mark(speech.pid) - peak < 50 * 2**20
    assert sum(speech.cpu_times()[:2]) - cpu < 1  # the stack's AUDIO_MAX_SECONDS is 20
