"""What the benchmarks share: the system on loopback, cabins, CPU and memory figures.
(The load generator, latency figures and webhooks are testsupport's, shared with the tests.)

A script imports it as `bench._common` after putting the repository root first
on `sys.path` (bench/calendar.py would shadow the standard library's).
"""

if __name__ == "__main__":  # `make bench` runs every bench/*.py: there is nothing to measure here
    raise SystemExit(0)

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import psutil

from cabanas.v1 import booking_pb2, booking_pb2_grpc, common_pb2
from devtools.devstack import SERVICES, spawn, stop_children, wait_ready, wait_serving
from devtools.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from testsupport.fake_graph import FakeGraph

WHATSAPP_SECRET = "bench-secret"
MERCADOPAGO_SECRET = "bench-mercadopago-secret"

# The gateway rate-limits per client IP (RATE_LIMIT_REQUESTS, 60 a minute by
# default; signed webhooks RATE_LIMIT_WEBHOOK_REQUESTS, 600). A benchmark is one
# client on loopback, so both are lifted; the limiter still runs on every request.
# One load client and one phone make every request: no rate limit, no cap on open holds.
UNLIMITED = {
    "RATE_LIMIT_REQUESTS": "100000000",
    "RATE_LIMIT_WEBHOOK_REQUESTS": "100000000",
    "MAX_OPEN_HOLDS_PER_PHONE": "0",
    "MAX_OPEN_HOLDS_PER_CLIENT": "0",
}


@dataclass
class System:
    """The running system: its environment, the gateway's URL, every process."""

    env: dict[str, str]
    gateway: str
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    mercadopago: str | None = None  # the fake Mercado Pago API, when started
    graph: FakeGraph | None = None  # the fake WhatsApp Cloud API, when started

    def addr(self, name: str) -> str:
        return self.env[f"{name.upper()}_ADDR"]

    def measured(self) -> dict[str, psutil.Process]:
        """Every process of the system by name, for CPU and memory figures."""
        order = ["gateway", *(n for n in self.procs if n not in ("gateway", "mercadopago")), "mercadopago"]
        out = {name: psutil.Process(self.procs[name].pid) for name in order if name in self.procs}
        if "mercadopago" in out:
            out["mercadopago fake"] = out.pop("mercadopago")
        assert self.postgres.process is not None and self.redis.process is not None, "started"
        out["postgres"] = psutil.Process(self.postgres.process.pid)
        out["redis"] = psutil.Process(self.redis.process.pid)
        return out


@contextmanager
def system(
    services: tuple[str, ...],
    *,
    durable: bool = True,
    mercadopago: bool = False,
    whatsapp: bool = False,
    extra_env: dict[str, str] | None = None,
    logs: Path | None = None,
) -> Iterator[System]:
    """Embedded Postgres (`durable=False`: fsync off) and Redis in a temporary folder, `services` and the
    gateway as processes on free loopback ports; optionally the Mercado Pago fake
    (`python -m devtools.sandbox.mercadopago`, payment links made there and
    notifications signed with MERCADOPAGO_SECRET) and the Graph API fake
    (replies sent there, webhooks signed with WHATSAPP_SECRET). Everything is
    stopped and the folder deleted on the way out. With `logs`, each process's
    log lines (stderr) go to `logs/<name>.log` instead of this terminal."""
    tmp = Path(tempfile.mkdtemp(prefix="cabanas-bench-"))
    pg = EmbeddedPostgres(tmp / "postgres", free_port(), durable=durable)
    rd = EmbeddedRedis(tmp / "redis", free_port())  # snapshots as in `make run`
    graph = FakeGraph() if whatsapp else None
    port = free_port()
    running = System(env={}, gateway=f"http://127.0.0.1:{port}", postgres=pg, redis=rd, graph=graph)

    def start(name: str, module: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        if logs is not None:
            logs.mkdir(parents=True, exist_ok=True)
        running.procs[name] = spawn(module, env, logs / f"{name}.log" if logs is not None else None)
        return running.procs[name]

    try:
        pg.start()
        rd.start()
        env = dict(os.environ, DATABASE_URL=pg.url, REDIS_URL=rd.url, LOG_LEVEL="WARNING", **UNLIMITED)
        # The fakes of the internet's APIs listen on loopback, where production fetches may not go.
        env |= {"ENVIRONMENT": "development", "ALLOW_PRIVATE_FETCH_ADDRESSES": "true"}
        env |= {"GRPC_BIND_HOST": "127.0.0.1", "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port)}
        env |= {"PUBLIC_BASE_URL": running.gateway}
        env |= {f"{name.upper()}_ADDR": f"127.0.0.1:{free_port()}" for name in SERVICES}
        if mercadopago:
            running.mercadopago = f"http://127.0.0.1:{free_port()}"
            env |= {
                "MERCADOPAGO_ACCESS_TOKEN": "BENCH-0000",
                "MERCADOPAGO_API_BASE": running.mercadopago,
                "MERCADOPAGO_WEBHOOK_SECRET": MERCADOPAGO_SECRET,
            }
            fake = env | {"PORT": running.mercadopago.rsplit(":", 1)[1]}
            wait_ready(f"{running.mercadopago}/healthz", start("mercadopago", "devtools.sandbox.mercadopago", fake))
        if graph is not None:
            env |= {
                "WHATSAPP_APP_SECRET": WHATSAPP_SECRET,
                "WHATSAPP_ACCESS_TOKEN": "bench",
                "WHATSAPP_PHONE_ID": "1",
                "WHATSAPP_API_BASE": graph.url,
            }
        env |= extra_env or {}
        running.env = env
        for name in services:
            start(name, f"services.{name}", env)
        for name in services:
            wait_serving(name, running.addr(name), running.procs[name])
        wait_ready(f"{running.gateway}/api/v1/healthz", start("gateway", "devtools.gateway", env))
        yield running
    finally:
        stop_children(running.procs)
        if graph is not None:
            graph.stop()
        rd.stop()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def create_cabins(
    booking_addr: str, count: int, *, capacity: int = 4, price_minor: int = 50_000_00, name: str = "Bench {i}"
) -> list[int]:
    """`count` active cabins (1 to 30 nights, no seasons) created over gRPC; their ids."""
    price = common_pb2.Money(amount_minor=price_minor, currency="ARS")
    with grpc.insecure_channel(booking_addr) as channel:
        stub = booking_pb2_grpc.BookingServiceStub(channel)
        return [
            stub.CreateAccommodation(
                booking_pb2.CreateAccommodationRequest(
                    accommodation=booking_pb2.Accommodation(
                        name=name.format(i=i), capacity=capacity, base_nightly_price=price, min_nights=1, max_nights=30
                    )
                )
            ).id
            for i in range(count)
        ]


def _family(name: str, proc: psutil.Process) -> list[psutil.Process]:
    """A process, and for Postgres its backends and background workers too."""
    return [proc, *proc.children(recursive=True)] if name == "postgres" else [proc]


def _sum(procs: list[psutil.Process], one: Callable[[psutil.Process], float]) -> float:
    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):  # a backend that just ended
            total += one(p)
    return total


def cpu_seconds(procs: dict[str, psutil.Process]) -> dict[str, float]:
    """CPU time used so far by each process; for Postgres, with its backends."""
    return {
        name: _sum(_family(name, proc), lambda p: p.cpu_times().user + p.cpu_times().system)
        for name, proc in procs.items()
    }


def rss_mib(procs: dict[str, psutil.Process]) -> dict[str, float]:
    """Resident memory of each process in MiB. For Postgres, the proportional set
    size summed over its processes: summed RSS would count the shared buffers
    once for every backend that has touched them."""

    def resident(name: str, proc: psutil.Process) -> float:
        if name == "postgres":
            return _sum(_family(name, proc), lambda p: p.memory_full_info().pss)
        return float(proc.memory_info().rss)

    return {name: resident(name, proc) / 2**20 for name, proc in procs.items()}
