"""Inbound WhatsApp text → reply handed to the (local fake) Graph API, at a fixed rate.

    python bench/messaging.py [--rate 10] [--seconds 10] [--ramp 50,75,100] [--profile]

Starts its own Postgres, Redis, booking, payments, messaging and gateway with
a local fake of the Graph API, posts signed "hola" webhooks from distinct
guests at the given rate (open loop, testsupport/load.py), and prints the time
from each webhook being due to its reply arriving at the fake (p50/p95/p99),
the sustained rate, and the same run's gateway /healthz latency as the baseline.
With --ramp, then each of those rates in turn (new guests each time) and the
highest whose p95 stays within a second; with --profile, each Python process's
top functions over the run.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import itertools
import os
import statistics
import time

import httpx
import psutil

from bench._common import WHATSAPP_SECRET, cpu_seconds, system
from bench._profile import profiled
from testsupport import whatsapp
from testsupport.fake_graph import FakeGraph
from testsupport.load import OpenLoop, Route, evenly, pct

PROBE_EVERY = 5  # one /healthz for every this many webhooks


GUESTS = (f"549{10**9 + i}" for i in itertools.count())  # every webhook from a guest of its own
WITHIN = 1.0  # seconds: the p95 --ramp looks for


async def drive(gateway: str, graph: FakeGraph, rate: float, seconds: float, procs: dict[str, psutil.Process]) -> float:
    """One rate for `seconds`; prints its lines and returns the reply p95 (ms)."""
    cpu_before = cpu_seconds(procs)
    due: dict[str, float] = {}  # guest -> when their webhook was due
    webhooks, health = Route("POST /webhooks/whatsapp", 200), Route("GET /healthz", 200)
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:

        async def one(at: float) -> None:
            phone = next(GUESTS)
            due[phone] = at
            raw = whatsapp.envelope(whatsapp.text(phone, "hola"))
            headers = whatsapp.signed(WHATSAPP_SECRET, raw)
            await webhooks.call(client, at, "POST", "/api/v1/webhooks/whatsapp", content=raw, headers=headers)

        async def probe(at: float) -> None:
            await health.call(client, at, "GET", "/api/v1/healthz")

        sender, start = OpenLoop(), time.monotonic()
        await asyncio.gather(
            sender.arrivals(start, evenly(rate, seconds), lambda: one),
            sender.arrivals(start, evenly(rate / PROBE_EVERY, seconds), lambda: probe),
        )
        await sender.drain()
        if webhooks.errors or health.errors:  # a rate the system did not keep up with: said, not hidden
            print(f"unexpected answers at {rate:g}/s: {dict(webhooks.errors)} {dict(health.errors)}")
        deadline = time.monotonic() + 60
        while len({to for to, _ in graph.arrivals if to in due}) < len(due) and time.monotonic() < deadline:  # noqa: ASYNC110 - the fake is polled
            await asyncio.sleep(0.1)
    arrived: dict[str, float] = {}
    for to, at in graph.arrivals:
        if to in due:  # this rate's guests (--ramp runs several)
            arrived.setdefault(to, at)
    latencies = [arrived[p] - t for p, t in due.items() if p in arrived]
    span = (max(arrived.values()) - min(due.values())) if arrived else float("inf")
    print(f"{len(due)} webhooks at {rate:g}/s for {seconds:g} s, {os.cpu_count()} CPUs; {len(latencies)} replied")
    print(
        f"webhook → reply at Graph  p50 {pct(latencies, 50):7.1f} ms  p95 {pct(latencies, 95):7.1f} ms"
        f"  p99 {pct(latencies, 99):7.1f} ms  sustained {len(latencies) / span:.1f}/s"
    )
    print(
        f"gateway /healthz (baseline) p50 {pct(health.latencies, 50):7.1f} ms  p95 {pct(health.latencies, 95):7.1f} ms"
    )
    if latencies and health.latencies:
        print(f"reply p50 = {statistics.median(latencies) / statistics.median(health.latencies):.0f} x /healthz p50")
    used = {name: seconds - cpu_before[name] for name, seconds in cpu_seconds(procs).items()}
    print("CPU ms per message: " + ", ".join(f"{n} {s / max(len(due), 1) * 1000:.2f}" for n, s in used.items()))
    kept_up = len(latencies) == len(due) and not webhooks.errors and not health.errors
    return pct(latencies, 95) if kept_up else float("inf")


async def each_rate(
    gateway: str, graph: FakeGraph, rates: list[float], seconds: float, procs: dict[str, psutil.Process]
) -> None:
    """Each rate in turn (new guests each time); with several, the highest kept within WITHIN."""
    kept = [rate for rate in rates if await drive(gateway, graph, rate, seconds, procs) <= WITHIN * 1000]
    if len(rates) > 1:
        print(f"highest rate with every message answered and p95 <= {WITHIN:g} s: {max(kept, default=0):g}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--ramp", default="", help="rates to try after --rate, comma-separated: 50,75,100")
    parser.add_argument("--profile", action="store_true", help="print each process's top functions (py-spy)")
    args = parser.parse_args()
    rates = [args.rate, *(float(rate) for rate in args.ramp.split(",") if rate.strip())]
    with system(("booking", "payments", "messaging"), durable=False, whatsapp=True) as running:
        assert running.graph is not None
        procs = {"client and Graph fake": psutil.Process(), **running.measured()}
        with profiled(procs, args.profile):
            asyncio.run(each_rate(running.gateway, running.graph, rates, args.seconds, procs))


if __name__ == "__main__":
    main()
