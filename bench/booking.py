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
import uuid
from datetime import date, timedelta

import asyncpg
import httpx
import psutil

from bench._common import cpu_seconds, create_cabins, system
from testsupport.load import closed_loop

CABINS = 32


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


async def bench(
    count: int, concurrency: int, gateway: str, db_url: str, cabin_ids: list[int], procs: dict[str, psutil.Process]
) -> None:
    async with httpx.AsyncClient(
        base_url=gateway, limits=httpx.Limits(max_connections=concurrency), timeout=60
    ) as client:

        async def reserve(i: int) -> None:
            check_in, check_out = _stay(i, 10)
            stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}
            guest = {"guest_name": "Bench", "guest_phone": "+5491100000000"}
            reply = await client.post(
                "/api/v1/reservations", json={"accommodation_id": cabin_ids[i % CABINS], **stay, **guest}
            )
            assert reply.status_code == 201 and reply.json()["payment_url"], reply.text

        await reserve(-1 % count)  # warm up connections and caches (a slot the run never uses twice)
        cpu_before = cpu_seconds(procs)
        gateway_elapsed, gateway_lat = await closed_loop(count - 1, concurrency, reserve)
        cpu_used = {k: v - cpu_before[k] for k, v in cpu_seconds(procs).items()}

    pool = await asyncpg.create_pool(db_url, min_size=concurrency, max_size=concurrency)

    async def insert(i: int) -> None:
        check_in, check_out = _stay(i, 10 + 2 * (count // CABINS + 2))
        await pool.execute(
            "INSERT INTO booking.reservations (code, accommodation_id, check_in, check_out, guests, status, channel)"
            " VALUES ($1, $2, $3, $4, 2, 'pre_reserved', 'web')",
            uuid.uuid4().hex,
            cabin_ids[i % CABINS],
            check_in,
            check_out,
        )

    raw_elapsed, raw_lat = await closed_loop(count - 1, concurrency, insert)
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
    with system(("booking", "payments"), mercadopago=True) as running:
        cabin_ids = create_cabins(running.addr("booking"), CABINS)
        measured = {"client": psutil.Process(), **running.measured()}
        asyncio.run(bench(args.count, args.concurrency, running.gateway, running.postgres.url, cabin_ids, measured))


if __name__ == "__main__":
    main()
