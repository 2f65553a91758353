"""Inbound WhatsApp text → reply handed to the (local fake) Graph API, at a fixed rate.

    python bench/messaging.py [--rate 10] [--seconds 10]

Starts its own Postgres, Redis, booking, payments, messaging and gateway with
a local fake of the Graph API, posts signed "hola" webhooks from distinct
guests at the given rate (open loop, testsupport/load.py), and prints the time
from each webhook being due to its reply arriving at the fake (p50/p95/p99),
the sustained rate, and the same run's gateway /healthz latency as the baseline.
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

from bench._common import WHATSAPP_SECRET, system
from testsupport import whatsapp
from testsupport.fake_graph import FakeGraph
from testsupport.load import OpenLoop, Route, evenly, pct

PROBE_EVERY = 5  # one /healthz for every this many webhooks


async def drive(gateway: str, graph: FakeGraph, rate: float, seconds: float) -> None:
    due: dict[str, float] = {}  # guest -> when their webhook was due
    webhooks, health = Route("POST /webhooks/whatsapp", 200), Route("GET /healthz", 200)
    guests = (f"549{10**9 + i}" for i in itertools.count())
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:

        async def one(at: float) -> None:
            phone = next(guests)
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
        if webhooks.errors or health.errors:
            raise SystemExit(f"unexpected answers: {dict(webhooks.errors)} {dict(health.errors)}")
        deadline = time.monotonic() + 60
        while len({to for to, _ in graph.arrivals}) < len(due) and time.monotonic() < deadline:  # noqa: ASYNC110 - the fake is polled
            await asyncio.sleep(0.1)
    arrived: dict[str, float] = {}
    for to, at in graph.arrivals:
        arrived.setdefault(to, at)
    latencies = [arrived[p] - t for p, t in due.items() if p in arrived]
    span = max(arrived.values()) - min(due.values())
    print(f"{len(due)} webhooks at {rate:g}/s for {seconds:g} s, {os.cpu_count()} CPUs; {len(latencies)} replied")
    print(
        f"webhook → reply at Graph  p50 {pct(latencies, 50):7.1f} ms  p95 {pct(latencies, 95):7.1f} ms"
        f"  p99 {pct(latencies, 99):7.1f} ms  sustained {len(latencies) / span:.1f}/s"
    )
    print(
        f"gateway /healthz (baseline) p50 {pct(health.latencies, 50):7.1f} ms  p95 {pct(health.latencies, 95):7.1f} ms"
    )
    print(f"reply p50 = {statistics.median(latencies) / statistics.median(health.latencies):.0f} x /healthz p50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with system(("booking", "payments", "messaging"), durable=False, whatsapp=True) as running:
        assert running.graph is not None
        asyncio.run(drive(running.gateway, running.graph, args.rate, args.seconds))


if __name__ == "__main__":
    main()
