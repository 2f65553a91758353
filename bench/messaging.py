"""Inbound WhatsApp text → reply handed to the (local fake) Graph API, at a fixed rate.

    python bench/messaging.py [--rate 10] [--seconds 10]

Starts its own Postgres, Redis, booking, payments, messaging and gateway with
a local fake of the Graph API, posts signed "hola" webhooks from distinct
guests at the given rate, and prints the time from webhook to reply arriving
at the fake (p50/p95/p99), the sustained rate, and the same run's gateway
/healthz latency as the baseline.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import os
import statistics
import time

import httpx

from bench._common import pct, system, whatsapp_headers, whatsapp_webhook
from testsupport.fake_graph import FakeGraph


async def drive(gateway: str, graph: FakeGraph, rate: float, seconds: float) -> None:
    sent: dict[str, float] = {}
    health: list[float] = []
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:

        async def one(phone: str) -> None:
            raw = whatsapp_webhook(phone)
            sent[phone] = time.monotonic()
            reply = await client.post("/api/v1/webhooks/whatsapp", content=raw, headers=whatsapp_headers(raw))
            assert reply.status_code == 200

        async def probe() -> None:
            started = time.perf_counter()
            await client.get("/api/v1/healthz")
            health.append(time.perf_counter() - started)

        tasks, started = [], time.monotonic()
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one("549" + str(10**9 + i))))
            if i % 5 == 0:
                tasks.append(asyncio.create_task(probe()))
        await asyncio.gather(*tasks)
        deadline = time.monotonic() + 60
        while len({to for to, _ in graph.arrivals}) < len(sent) and time.monotonic() < deadline:  # noqa: ASYNC110 - the fake is polled
            await asyncio.sleep(0.1)
    arrived = {}
    for to, at in graph.arrivals:
        arrived.setdefault(to, at)
    latencies = [arrived[p] - t for p, t in sent.items() if p in arrived]
    span = max(arrived.values()) - min(sent.values())
    print(f"{len(sent)} webhooks at {rate:g}/s for {seconds:g} s, {os.cpu_count()} CPUs; {len(latencies)} replied")
    print(
        f"webhook → reply at Graph  p50 {pct(latencies, 50):7.1f} ms  p95 {pct(latencies, 95):7.1f} ms  p99 {pct(latencies, 99):7.1f} ms  sustained {len(latencies) / span:.1f}/s"
    )
    print(f"gateway /healthz (baseline) p50 {pct(health, 50):7.1f} ms  p95 {pct(health, 95):7.1f} ms")
    print(f"reply p50 = {statistics.median(latencies) / statistics.median(health):.0f} x /healthz p50")


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
