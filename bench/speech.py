"""Speech figures: faster-whisper called directly vs through the gRPC service, same run.

    python bench/speech.py [--clips DIR] [--guests 4] [--rounds 3] [--batch N]

Prints model load time, real-time factor (audio seconds per wall second),
per-note latency p50/p95, notes/s with N concurrent guests, the service's peak
RSS and the corpus WER (when DIR has expected.json), and the ratios: service
overhead for one guest, what the batched pipeline gains over the per-call loop
(all of a round's notes in one call), and what concurrency gains through the
service's cross-guest batcher (`--batch`: AUDIO_BATCH_SIZE, 0 = the service's
default: 8 on a GPU, 1 on a CPU). CPU always; CUDA when the machine has it
(AUDIO_DEVICE=auto).
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import grpc

from cabanas.v1 import speech_pb2, speech_pb2_grpc
from devtools.devstack import spawn, stop_children, wait_serving
from devtools.embedded import free_port
from services.common.settings import Settings
from services.speech import model
from services.speech.audio import decode
from services.speech.transcriber import Transcriber
from testsupport.load import pct
from testsupport.wer import edits, words

FIXTURES = Path(__file__).resolve().parents[1] / "services" / "speech" / "tests" / "fixtures"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=FIXTURES)
    parser.add_argument("--guests", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=0)
    args = parser.parse_args()
    clips = {p.stem: p.read_bytes() for p in sorted(args.clips.glob("*.ogg"))}
    expected = json.loads((args.clips / "expected.json").read_text()) if (args.clips / "expected.json").exists() else {}
    cache = Path(tempfile.mkdtemp(prefix="cabanas-models-"))
    settings = Settings(audio_model_cache=str(cache))

    started = time.perf_counter()
    directory, name = model.resolve(settings)
    assembled = time.perf_counter() - started
    started = time.perf_counter()
    direct = Transcriber(str(directory), name, settings.audio_device, settings.audio_cpu_threads)
    loaded = time.perf_counter() - started
    print(
        f"{os.cpu_count()} CPUs, {direct.device}/{direct.compute_type}; model assembly {assembled:.2f} s, load {loaded:.2f} s"
    )

    audio_seconds = {k: decode(v, 300).size / 16000 for k, v in clips.items()}
    lat, wall, errs, total = [], 0.0, 0, 0
    for _ in range(args.rounds):
        for clip, data in clips.items():
            t = time.perf_counter()
            result = direct.transcribe(decode(data, 300), "es")
            lat.append(time.perf_counter() - t)
            wall += lat[-1]
            if clip in expected:
                errs += edits(words(expected[clip]), words(result.text))
                total += len(words(expected[clip]))
    rtf_direct = sum(audio_seconds.values()) * args.rounds / wall
    print(
        f"direct, one at a time     p50 {pct(lat, 50):7.0f} ms  p95 {pct(lat, 95):7.0f} ms  {rtf_direct:5.1f}x real time"
    )
    if total:
        print(f"corpus WER                {errs / total:.3f}")
    samples = [decode(v, 300) for v in clips.values()]
    t = time.perf_counter()
    for _ in range(args.rounds):
        direct.transcribe_many(samples, "es")
    batched = time.perf_counter() - t
    print(
        f"direct, batched pipeline  {len(samples)} notes a call  {len(lat) / batched:.2f} notes/s = {wall / batched:.2f}x the per-call loop"
    )

    addr = f"127.0.0.1:{free_port()}"
    env = dict(os.environ, SPEECH_ADDR=addr, GRPC_BIND_HOST="127.0.0.1", LOG_LEVEL="WARNING")
    env |= {
        "AUDIO_MODEL_CACHE": str(cache),
        "AUDIO_QUEUE_SIZE": str(args.guests * 2),
        "AUDIO_BATCH_SIZE": str(args.batch),
    }
    procs = {"speech": spawn("services.speech", env)}
    try:
        wait_serving("speech", addr, procs["speech"])
        stub = speech_pb2_grpc.SpeechServiceStub(grpc.insecure_channel(addr))

        def call(data: bytes) -> float:
            t = time.perf_counter()
            stub.Transcribe(speech_pb2.TranscribeRequest(audio=data, language_hint="es"), timeout=300)
            return time.perf_counter() - t

        one = [call(data) for _ in range(args.rounds) for data in clips.values()]
        print(
            f"service, one guest        p50 {pct(one, 50):7.0f} ms  p95 {pct(one, 95):7.0f} ms  overhead {statistics.median(one) / statistics.median(lat):.2f}x direct p50"
        )
        notes = [data for _ in range(args.rounds) for data in clips.values()]
        t = time.perf_counter()
        with ThreadPoolExecutor(args.guests) as pool:
            many = list(pool.map(call, notes))
        rate = len(notes) / (time.perf_counter() - t)
        print(
            f"service, {args.guests} guests at once (batch {args.batch or 'default'})  p50 {pct(many, 50):7.0f} ms  p95 {pct(many, 95):7.0f} ms  {rate:.2f} notes/s = {rate / (len(lat) / wall):.2f}x the direct loop"
        )
        status = Path(f"/proc/{procs['speech'].pid}/status").read_text()  # VmHWM: the peak resident set
        peak = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")), 0.0)
        print(f"service peak RSS          {peak:.0f} MiB")
    finally:
        stop_children(procs)


if __name__ == "__main__":
    main()
