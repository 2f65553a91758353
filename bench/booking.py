"""Pre-reservations through the gateway vs raw INSERTs into the same table.

    python bench/booking.py [--count 2000] [--concurrency 32]

Starts its own embedded Postgres and Redis, the booking and payments services,
a local fake of the Mercado Pago API (each hold gets its payment link, as in
production) and the gateway, then, in one run: `count` non-conflicting POST /api/v1/reservations at
the given concurrency, and the same count of plain INSERTs into
booking.reservations over asyncpg at the same concurrency (the floor Postgres
sets on this machine). Prints throughput and latency percentiles of both and
their ratio.
"""

import sys
from pathlib import Path

# The repository root first, instead of bench/ (whose calendar.py would shadow the standard library's).
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import asyncpg
import grpc
import httpx
import psutil

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from services.common.devstack import spawn, stop_children, wait_ready, wait_serving
from services.common.embedded import EmbeddedPostgres, EmbeddedRedis, free_port

CABINS = 32


async def _timed(count: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def run(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            await one(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(count)))
    return time.perf_counter() - started, latencies


def _stay(i: int, offset: int) -> tuple[date, date]:
    start = date.today() + timedelta(days=offset + 2 * (i // CABINS))
    return start, start + timedelta(days=1)


def _report(name: str, count: int, elapsed: float, latencies: list[float]) -> float:
    q = statistics.quantiles(latencies, n=100)
    rate = count / elapsed
    print(
        f"{name:<28} {rate:8.0f}/s   p50 {q[49] * 1000:7.2f} ms   p95 {q[94] * 1000:7.2f} ms   p99 {q[98] * 1000:7.2f} ms"
    )
    return rate


def _cpu_seconds(procs: dict[str, psutil.Process]) -> dict[str, float]:
    """CPU time used so far by each process; for Postgres, with its backends."""
    out = {}
    for name, proc in procs.items():
        family = [proc, *proc.children(recursive=True)] if name == "postgres" else [proc]
        out[name] = sum(t.user + t.system for t in (p.cpu_times() for p in family))
    return out


async def bench(
    count: int, concurrency: int, gateway: str, db_url: str, cabin_ids: list[int], procs: dict[str, psutil.Process]
) -> None:
    async with httpx.AsyncClient(
        base_url=gateway, limits=httpx.Limits(max_connections=concurrency), timeout=60
    ) as client:

        async def reserve(i: int) -> None:
            check_in, check_out = _stay(i, 10)
            reply = await client.post(
                "/api/v1/reservations",
                json={
                    "accommodation_id": cabin_ids[i % CABINS], "check_in": check_in.isoformat(),
                    "check_out": check_out.isoformat(), "guests": 2, "guest_name": "Bench", "guest_phone": "+5491100000000",
                },
            )  # fmt: skip
            assert reply.status_code == 201 and reply.json()["payment_url"], reply.text

        await reserve(-1 % count)  # warm up connections and caches (a slot the run never uses twice)
        cpu_before = _cpu_seconds(procs)
        gateway_elapsed, gateway_lat = await _timed(count - 1, concurrency, reserve)
        cpu_used = {k: v - cpu_before[k] for k, v in _cpu_seconds(procs).items()}

    pool = await asyncpg.create_pool(db_url, min_size=concurrency, max_size=concurrency)

    async def insert(i: int) -> None:
        check_in, check_out = _stay(i, 10 + 2 * (count // CABINS + 2))
        await pool.execute(
            "INSERT INTO booking.reservations (code, accommodation_id, check_in, check_out, guests, status, channel)"
            " VALUES ($1, $2, $3, $4, 2, 'pre_reserved', 'web')",
            uuid.uuid4().hex, cabin_ids[i % CABINS], check_in, check_out,
        )  # fmt: skip

    raw_elapsed, raw_lat = await _timed(count - 1, concurrency, insert)
    await pool.close()

    print(f"{count - 1} non-conflicting pre-reservations, concurrency {concurrency}, {os.cpu_count()} CPUs")
    through = _report("POST /reservations (+link)", count - 1, gateway_elapsed, gateway_lat)
    floor = _report("raw INSERT (asyncpg)", count - 1, raw_elapsed, raw_lat)
    print(f"gateway throughput = {through / floor:.3f} x raw INSERT throughput")
    print(f"gateway p50 latency = {statistics.median(gateway_lat) / statistics.median(raw_lat):.1f} x raw INSERT p50")
    per_request = ", ".join(f"{name} {seconds / (count - 1) * 1000:.2f}" for name, seconds in cpu_used.items())
    print(f"CPU ms per reservation: {per_request}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cabanas-bench-"))
    pg = EmbeddedPostgres(tmp / "postgres", free_port())
    rd = EmbeddedRedis(tmp / "redis", free_port())
    procs = {}
    try:
        pg.start()
        rd.start()
        fake_port, gateway_port = free_port(), free_port()
        env = dict(
            os.environ,
            DATABASE_URL=pg.url,
            REDIS_URL=rd.url,
            BOOKING_ADDR=f"127.0.0.1:{free_port()}",
            PAYMENTS_ADDR=f"127.0.0.1:{free_port()}",
            GATEWAY_PORT=str(gateway_port),
            PUBLIC_BASE_URL=f"http://127.0.0.1:{gateway_port}",
            MERCADOPAGO_ACCESS_TOKEN="BENCH-0000",
            MERCADOPAGO_API_BASE=f"http://127.0.0.1:{fake_port}",
            GRPC_BIND_HOST="127.0.0.1",
            LOG_LEVEL="WARNING",
        )
        procs["mercadopago"] = spawn("gateway.sandbox.mercadopago", env | {"PORT": str(fake_port)})
        wait_ready(f"{env['MERCADOPAGO_API_BASE']}/healthz", procs["mercadopago"])
        for name in ("booking", "payments"):
            procs[name] = spawn(f"services.{name}", env)
            wait_serving(name, env[f"{name.upper()}_ADDR"], procs[name])
        procs["gateway"] = spawn("gateway", env)
        gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        wait_ready(f"{gateway}/api/v1/healthz", procs["gateway"])
        with grpc.insecure_channel(env["BOOKING_ADDR"]) as channel:
            stub = booking_pb2_grpc.BookingServiceStub(channel)
            price = common_pb2.Money(amount_minor=50_000_00, currency="ARS")
            cabin_ids = [
                stub.CreateAccommodation(
                    booking_pb2.CreateAccommodationRequest(
                        accommodation=booking_pb2.Accommodation(
                            name=f"Bench {i}", capacity=4, base_nightly_price=price, min_nights=1, max_nights=30
                        )
                    )
                ).id
                for i in range(CABINS)
            ]
        measured = {
            "client": psutil.Process(),
            "gateway": psutil.Process(procs["gateway"].pid),
            "booking": psutil.Process(procs["booking"].pid),
            "payments": psutil.Process(procs["payments"].pid),
            "mercadopago fake": psutil.Process(procs["mercadopago"].pid),
            "postgres": psutil.Process(pg.process.pid),  # type: ignore[union-attr]
            "redis": psutil.Process(rd.process.pid),  # type: ignore[union-attr]
        }
        asyncio.run(bench(args.count, args.concurrency, gateway, pg.url, cabin_ids, measured))
    finally:
        stop_children(procs)
        rd.stop()
        pg.stop()


if __name__ == "__main__":
    main()
