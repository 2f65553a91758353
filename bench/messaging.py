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
import json
import os
import statistics
import tempfile
import time
import uuid

import httpx

from gateway.signatures import whatsapp_signature
from services.common.devstack import spawn, stop_children, wait_ready, wait_serving
from services.common.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from tests.fake_graph import FakeGraph

SECRET = "bench-secret"


def webhook(phone: str) -> bytes:
    message = {
        "from": phone,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": "hola"},
    }
    value = {
        "messaging_product": "whatsapp",
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": phone}],
        "messages": [message],
    }
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": value}]}]}
    ).encode()


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


async def drive(gateway: str, graph: FakeGraph, rate: float, seconds: float) -> None:
    sent: dict[str, float] = {}
    health: list[float] = []
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:

        async def one(phone: str) -> None:
            raw = webhook(phone)
            sent[phone] = time.monotonic()
            headers = {"X-Hub-Signature-256": whatsapp_signature(SECRET, raw), "Content-Type": "application/json"}
            assert (await client.post("/api/v1/webhooks/whatsapp", content=raw, headers=headers)).status_code == 200

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
    tmp = Path(tempfile.mkdtemp(prefix="cabanas-bench-"))
    pg, rd, graph = (
        EmbeddedPostgres(tmp / "pg", free_port(), durable=False),
        EmbeddedRedis(tmp / "redis", free_port()),
        FakeGraph(),
    )
    procs: dict = {}
    try:
        pg.start()
        rd.start()
        port = free_port()
        env = dict(
            os.environ, DATABASE_URL=pg.url, REDIS_URL=rd.url, LOG_LEVEL="WARNING", GRPC_BIND_HOST="127.0.0.1",
            GATEWAY_PORT=str(port), PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", WHATSAPP_APP_SECRET=SECRET,
            WHATSAPP_ACCESS_TOKEN="bench", WHATSAPP_PHONE_ID="1", WHATSAPP_API_BASE=graph.url,
            **{f"{n.upper()}_ADDR": f"127.0.0.1:{free_port()}" for n in ("booking", "payments", "messaging")},
        )  # fmt: skip
        for name in ("booking", "payments", "messaging"):
            procs[name] = spawn(f"services.{name}", env)
            wait_serving(name, env[f"{name.upper()}_ADDR"], procs[name])
        procs["gateway"] = spawn("gateway", env)
        wait_ready(f"http://127.0.0.1:{port}/api/v1/healthz", procs["gateway"])
        asyncio.run(drive(f"http://127.0.0.1:{port}", graph, args.rate, args.seconds))
    finally:
        stop_children(procs)
        graph.stop()
        rd.stop()
        pg.stop()


if __name__ == "__main__":
    main()
