"""Speech over real gRPC with the real bundled Whisper base model on CPU."""

import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import grpc
import httpx
import numpy as np
import pytest

from cabanas.v1 import speech_pb2, speech_pb2_grpc
from devtools.devstack import spawn, stop_children, wait_serving
from devtools.embedded import free_port
from services.common.grpc_clients import error_info
from services.speech import model
from services.speech.tests.fixtures.make_fixtures import encode_opus
from services.speech.transcriber import Segment, confidence
from tests.stack import Infra, Stack, admin_token, stack_env
from testsupport.otlp import OtlpReceiver
from testsupport.wer import edits, words

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
# Words the bot needs from each note, whatever else the recogniser gets wrong.
KEYWORDS = {
    "disponibilidad": {"cabana", "diciembre"},
    "precio": {"cuanto", "personas"},
    "reserva": {"reservar", "semana"},
    "sena": {"sena", "finde"},  # what the domain prompt is for: "la señal del tinde" without it
}
# espeak-ng's formant voice is far from a person's: Whisper base gets the short,
# clear notes (near) right and stumbles on long ones. The bound is the corpus WER
# measured (0.28: 0.47, 0.36, 0.00, 0.11 on one CPU; 0.32: 0.47, 0.36, 0.00, 0.33 on an
# AVX2 EPYC, where the decoder's arithmetic differs) plus margin; a real voice does better.
MAX_CORPUS_WER = 0.45
# The batched pipeline decodes without the domain prompt (transcriber.py), so not the note that needs it.
BATCHED = ("disponibilidad", "precio", "reserva")


@pytest.fixture(scope="module")
def speech(stack: Stack) -> Iterator[speech_pb2_grpc.SpeechServiceStub]:
    with grpc.insecure_channel(stack.addr("speech"), options=[("grpc.max_send_message_length", 20 << 20)]) as channel:
        yield speech_pb2_grpc.SpeechServiceStub(channel)


def transcribe(
    stub: speech_pb2_grpc.SpeechServiceStub, audio: bytes, hint: str = "es"
) -> speech_pb2.TranscribeResponse:
    return stub.Transcribe(
        speech_pb2.TranscribeRequest(audio=audio, mime_type="audio/ogg; codecs=opus", language_hint=hint), timeout=120
    )


def test_spanish_voice_notes_within_the_wer_bound(speech: speech_pb2_grpc.SpeechServiceStub) -> None:
    errors = total = 0
    for name, text in EXPECTED.items():
        reply = transcribe(speech, (FIXTURES / f"{name}.ogg").read_bytes())
        hyp = words(reply.text)
        errors += edits(words(text), hyp)
        total += len(words(text))
        assert KEYWORDS[name] <= set(hyp), (name, reply.text)
        assert reply.language == "es" and 0 < reply.confidence <= 1 and reply.duration > 3
        assert (reply.model, reply.device, reply.compute_type) == ("whisper-base", "cpu", "int8")
        assert reply.segments and reply.segments[-1].end <= reply.duration + 0.5
    assert errors / total <= MAX_CORPUS_WER


def test_language_is_detected_as_spanish(speech: speech_pb2_grpc.SpeechServiceStub) -> None:
    reply = transcribe(speech, (FIXTURES / "reserva.ogg").read_bytes(), hint="auto")
    assert reply.language == "es" and reply.language_probability > 0.5


def test_noise_gives_no_text_and_no_confidence(speech: speech_pb2_grpc.SpeechServiceStub) -> None:
    reply = transcribe(speech, (FIXTURES / "ruido.ogg").read_bytes())
    assert reply.text == "" and reply.confidence == 0


def test_other_containers_decode(speech: speech_pb2_grpc.SpeechServiceStub) -> None:
    samples = np.concatenate(
        [f.to_ndarray().reshape(-1) for f in av.open(str(FIXTURES / "reserva.ogg")).decode(audio=0)]
    )
    out = io.BytesIO()
    with av.open(out, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=48000, layout="mono")
        frame = av.AudioFrame.from_ndarray(samples.astype(np.float32).reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = 48000
        resampler = av.AudioResampler(format="s16p", layout="mono", rate=48000)
        for f in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(f):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    assert "reservar" in words(transcribe(speech, out.getvalue()).text)


def _silence_ogg(seconds: float, path: Path) -> bytes:
    encode_opus(np.zeros(int(16000 * seconds), dtype=np.float32), 16000, path)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda _: b"", "EMPTY_AUDIO"),
        (lambda _: b"OggS" + bytes(range(256)) * 40, "CORRUPT_AUDIO"),
        (lambda _: b"\x00" * (16 * 1024 * 1024 + 1), "AUDIO_TOO_LARGE"),
        (lambda tmp: _silence_ogg(25, tmp / "long.ogg"), "AUDIO_TOO_LONG"),
    ],
)
def test_bad_audio_is_invalid_argument(
    speech: speech_pb2_grpc.SpeechServiceStub, tmp_path: Path, make: Callable[[Path], bytes], why: str
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        transcribe(speech, make(tmp_path))
    detail = error_info(info.value)
    assert (info.value.code(), detail.reason if detail else "") == (grpc.StatusCode.INVALID_ARGUMENT, why)
    assert info.value.details()  # a clear message for the caller


def test_full_queue_is_resource_exhausted(infra: Infra, otlp: OtlpReceiver) -> None:
    addr = f"127.0.0.1:{free_port()}"
    env = stack_env(infra, otlp) | {"SPEECH_ADDR": addr, "AUDIO_WORKERS": "1", "AUDIO_QUEUE_SIZE": "0"}
    own = {"speech": spawn("services.speech", env)}
    try:
        wait_serving("speech", addr, own["speech"])
        audio = (FIXTURES / "disponibilidad.ogg").read_bytes()
        with grpc.insecure_channel(addr) as channel, ThreadPoolExecutor(4) as pool:
            stub = speech_pb2_grpc.SpeechServiceStub(channel)

            def call(_: int) -> grpc.StatusCode:
                try:
                    transcribe(stub, audio)
                    return grpc.StatusCode.OK
                except grpc.RpcError as exc:
                    return exc.code()

            codes = list(pool.map(call, range(4)))
        assert codes.count(grpc.StatusCode.OK) >= 1 and grpc.StatusCode.RESOURCE_EXHAUSTED in codes
    finally:
        stop_children(own)


def test_concurrent_notes_are_batched_and_each_gets_its_own_text(infra: Infra, otlp: OtlpReceiver) -> None:
    """What the GPU does by default, forced on the CPU: notes from three guests in one batch."""
    addr, metrics = f"127.0.0.1:{free_port()}", free_port()
    batching = {"AUDIO_BATCH_SIZE": "4", "AUDIO_BATCH_WINDOW_MS": "500"}
    env = stack_env(infra, otlp) | {"SPEECH_ADDR": addr, "METRICS_PORT": str(metrics)} | batching
    own = {"speech": spawn("services.speech", env)}
    try:
        wait_serving("speech", addr, own["speech"])
        audio = {name: (FIXTURES / f"{name}.ogg").read_bytes() for name in BATCHED}
        with grpc.insecure_channel(addr) as channel, ThreadPoolExecutor(len(audio)) as pool:
            stub = speech_pb2_grpc.SpeechServiceStub(channel)
            replies = dict(zip(audio, pool.map(lambda a: transcribe(stub, a), audio.values()), strict=True))
        for name, reply in replies.items():
            assert KEYWORDS[name] <= set(words(reply.text)), (name, reply.text)
            assert reply.segments and reply.segments[-1].end <= reply.duration + 0.5
        text = httpx.get(f"http://127.0.0.1:{metrics}/metrics").text
        assert "speech_batch_size_count 1.0" in text and f"speech_batch_size_sum {len(audio)}.0" in text, text
        assert f'speech_transcriptions_total{{outcome="ok"}} {len(audio)}.0' in text
    finally:
        stop_children(own)


def test_concurrent_first_starts_assemble_one_model(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from services.speech.model import assemble;"
        " print(assemble(Path(sys.argv[1])))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    paths = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert paths == {str(tmp_path / model.NAME)}
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".{model.NAME}.lock", model.NAME]
    assert hashlib.sha256((tmp_path / model.NAME / "model.bin").read_bytes()).hexdigest() == model.SHA256


def test_confidence_formula() -> None:
    assert confidence([]) == 0
    sure = Segment(0, 2, "hola", avg_logprob=0.0, no_speech_prob=0.0)
    doubtful = Segment(2, 4, "eh", avg_logprob=np.log(0.5), no_speech_prob=0.5)
    assert confidence([sure]) == 1
    assert confidence([sure, doubtful]) == pytest.approx((1 + 0.25) / 2)


def test_admin_transcribe_endpoint(stack: Stack) -> None:
    audio = (FIXTURES / "reserva.ogg").read_bytes()
    url = f"{stack.gateway_url}/api/v1/admin/audio/transcribe"
    assert httpx.post(url, files={"file": ("nota.ogg", audio, "audio/ogg")}).status_code == 401
    reply = httpx.post(
        url,
        files={"file": ("nota.ogg", audio, "audio/ogg")},
        headers={"Authorization": f"Bearer {admin_token()}"},
        timeout=120,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert "reservar" in words(body["text"]) and body["language"] == "es" and body["device"] == "cpu"
    bad = httpx.post(
        url, files={"file": ("x.ogg", b"garbage", "audio/ogg")}, headers={"Authorization": f"Bearer {admin_token()}"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "corrupt_audio"
