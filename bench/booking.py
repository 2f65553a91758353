"""Pre-reservations through the gateway vs raw INSERTs into the same table.

    python bench/booking.py [--count 2000] [--concurrency 32] [--profile]

Starts its own embedded Postgres and Redis, the booking and payments services,
a local fake of the Mercado Pago API and the gateway, then, in one run: `count`
non-conflicting POST /api/v1/reservations at the given concurrency (each answers
with its payment link, as in production: ours, /pagar/...), the first visit of
each of those links (where payments makes the Checkout Pro preference at the
fake and the gateway redirects to it), and the same count of plain INSERTs into
booking.reservations over asyncpg at the same concurrency (the floor Postgres
sets on this machine). Prints throughput and latency percentiles of each, the
holds' ratio to the INSERTs and the CPU each process spent per hold and per
link; with --profile, each Python process's top functions while holding.
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
import psutil

from bench._common import cpu_seconds, create_cabins, system
from bench._http import LeanClient
from bench._profile import profiled
from testsupport.load import closed_loop

CABINS = 32
NOT_SERVERS = ("client", "mercadopago fake")  # what the CPU goal leaves out: the load and the fake


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
    count: int,
    concurrency: int,
    gateway: str,
    db_url: str,
    cabin_ids: list[int],
    procs: dict[str, psutil.Process],
    profile: bool,
) -> None:
    client = LeanClient(gateway, concurrency)
    links: list[str] = []

    async def reserve(i: int) -> None:
        check_in, check_out = _stay(i, 10)
        stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}
        guest = {"guest_name": "Bench", "guest_phone": "+5491100000000"}
        reply = await client.post("/api/v1/reservations", {"accommodation_id": cabin_ids[i % CABINS], **stay, **guest})
        assert reply.status == 201 and reply.json()["payment_url"], reply.body
        links.append(reply.json()["payment_url"])

    async def open_link(i: int) -> None:
        reply = await client.get(links[i])
        assert reply.status == 303 and reply.headers["location"], reply.body

    try:
        await reserve(-1 % count)  # warm up connections and caches (a slot the run never uses twice)
        await open_link(0)
        del links[0]
        cpu_before = cpu_seconds(procs)
        with profiled(procs, profile):
            gateway_elapsed, gateway_lat = await closed_loop(count - 1, concurrency, reserve)
        cpu_used = {k: v - cpu_before[k] for k, v in cpu_seconds(procs).items()}
        cpu_before = cpu_seconds(procs)
        link_elapsed, link_lat = await closed_loop(count - 1, concurrency, open_link)
        link_cpu = {k: v - cpu_before[k] for k, v in cpu_seconds(procs).items()}
    finally:
        await client.aclose()

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
    _report("GET /pagar (first visit)", count - 1, link_elapsed, link_lat)
    floor = _report("raw INSERT (asyncpg)", count - 1, raw_elapsed, raw_lat)
    print(f"gateway throughput = {through / floor:.3f} x raw INSERT throughput")
    print(f"gateway p50 latency = {statistics.median(gateway_lat) / statistics.median(raw_lat):.1f} x raw INSERT p50")
    for what, used in (("reservation", cpu_used), ("first visit of its link", link_cpu)):
        print(f"CPU ms per {what}: {_per(used, count - 1)}")


def _per(used: dict[str, float], count: int) -> str:
    servers = sum(seconds for name, seconds in used.items() if name not in NOT_SERVERS)
    each = ", ".join(f"{name} {seconds / count * 1000:.2f}" for name, seconds in used.items())
    return f"{each}; servers {servers / count * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--profile", action="store_true", help="print each process's top functions (py-spy)")
    args = parser.parse_args()
    with system(("booking", "payments"), mercadopago=True) as running:
        cabin_ids = create_cabins(running.addr("booking"), CABINS)
        measured = {"client": psutil.Process(), **running.measured()}
        asyncio.run(
            bench(
                args.count, args.concurrency, running.gateway, running.postgres.url, cabin_ids, measured, args.profile
            )
        )


if __name__ == "__main__":
    main()
