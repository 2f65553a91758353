"""Mixed load on the whole system at a fixed arrival rate: latency under load, errors, lost work, memory.

    python bench/load.py [--duration 20] [--rate 20] [--seed 1]
    python bench/load.py --soak [--duration 600]

Starts its own embedded Postgres and Redis (durable, as `make run`), the five
services, the gateway, the Mercado Pago fake (`python -m devtools.sandbox.mercadopago`)
and the Graph API fake (testsupport/fake_graph.py), with RATE_LIMIT_REQUESTS and
RATE_LIMIT_WEBHOOK_REQUESTS lifted to 10^8 a minute: the gateway limits each
client IP (60 and 600 a minute by default) and this is one client on loopback;
the limiter still runs on every request. Then, open loop (testsupport/load.py),
for `duration` seconds: requests arrive as a Poisson process at `rate` a second
in total and each is sent when it is due, whether or not earlier ones have
answered; its latency counts from when it was due, so a slow system cannot slow
the arrivals down and hide its own queueing. The mix:

- 35 % GET /api/v1/accommodations/{id}/availability: a random cabin and stay
  among the dates being held (2-4 nights, 2-4 guests);
- 30 % POST /api/v1/webhooks/whatsapp: a signed text from a new guest, from
  the bot's vocabulary (dates, guests, prices, questions, greetings);
- 25 % POST /api/v1/reservations with an Idempotency-Key: 75 % free dates
  (201), 20 % deliberately dates already held in the run (409
  dates_unavailable: expected, on its own line), 5 % a replay of an earlier
  request with its key (the same 201 and code);
- 10 % POST /api/v1/webhooks/mercadopago, signed: the deposit of a hold made
  in the run (about half of them get paid), approved in the fake when the hold
  was made (off the clock); one in ten repeats an earlier notification, as
  Mercado Pago does;

and GET /api/v1/healthz at a steady 5/s, the same run's baseline. Prints per
route the throughput, p50/p95/p99, the error rate (any status but the
expected one, timeouts included) and p50 as a ratio to /healthz p50. After the
load it waits for every accepted WhatsApp message's reply at the Graph fake
and every paid hold to be confirmed, and counts what never came as lost; then
the gateway's rate-limiter counters (requests let through unchecked because
Redis could not be asked), CPU per process, and every process's WARNING/ERROR
log lines (the logs are kept when there is any, or a process died).
`--soak` (10 minutes by default) also prints a line a minute and the RSS of
every process before and after the load.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import psutil

from bench._common import MERCADOPAGO_SECRET, WHATSAPP_SECRET, System, cpu_seconds, create_cabins, rss_mib, system
from devtools.devstack import SERVICES
from devtools.sandbox.mercadopago import notification
from testsupport import whatsapp
from testsupport.load import OpenLoop, Route, evenly, pct, poisson

CABINS = 20
FIRST_DAY = 3  # holds start this many days from today
STAY = 2  # nights of a fresh hold; slots are 3 days apart, so a stay one day later overlaps only its own slot
MIX = {"availability": 0.35, "whatsapp": 0.30, "reservation": 0.25, "mercadopago": 0.10}
PROBE_RATE = 5.0  # /healthz a second, evenly spaced
MAX_IN_FLIGHT = 2000  # beyond this an arrival is shed (and counted): the bound on what the client keeps open
DRAIN_SECONDS = 60.0  # how long replies and confirmations may take after the load

# What guests write, in the bot's vocabulary (services/messaging/nlu/): each is answered with one message.
TEXTS = [
    "Hola! tienen lugar este finde para 2?",
    "hola buenas tardes",
    "Buen día!",
    "Tienen disponibilidad del 15 al 18 de diciembre?",
    "hay lugar del 10 al 12 de enero para 4 personas",
    "somos 2 adultos y 2 chicos del 3 al 6 de marzo",
    "desde el viernes por 3 noches, somos cuatro",
    "una pareja, del 10 al 12 de mayo",
    "para año nuevo somos 6",
    "quisiera hacer una reserva para 3 del 20 al 23 de febrero",
    "cuanto saldria el finde para dos",
    "cual es la tarifa para 4 personas del 3 al 5 de abril",
    "tienen cabaña para 6 personas?",
    "aceptan mascotas? tengo un perro",
    "tiene wifi?",
    "a que hora es el check in",
    "hay parrilla?",
    "mis reservas",
    "como pago la seña?",
    "ayuda",
    "quiero hablar con una persona",
    "muchas gracias, chau",
]
NAMES = ["Ana Pérez", "Martín Gómez", "Lucía Fernández", "Julián Díaz", "Sofía Romero", "Tomás Álvarez", "Carla Ruiz"]


def _routes() -> dict[str, Route]:
    return {
        "availability": Route("GET  /accommodations/{id}/availability", 200),
        "whatsapp": Route("POST /webhooks/whatsapp", 200),
        "reserve": Route("POST /reservations (free dates)", 201),
        "conflict": Route("POST /reservations (held dates: 409)", 409),
        "replay": Route("POST /reservations (key replayed)", 201),
        "mercadopago": Route("POST /webhooks/mercadopago", 200),
        "duplicate": Route("POST /webhooks/mercadopago (repeat)", 200),
        "healthz": Route("GET  /healthz (baseline)", 200),
    }


class Load:
    """The arrivals, what each kind of request does, and what came back."""

    def __init__(self, client: httpx.AsyncClient, fake: httpx.AsyncClient, cabins: list[int], seed: int) -> None:
        self.client, self.fake, self.cabins = client, fake, cabins
        self.rng = random.Random(seed)  # what each request asks
        self.arrivals_rng = random.Random(-seed)  # when requests come and of which kind: the same for a seed
        self.today = date.today()
        self.slot = 0  # the next free (cabin, dates) slot
        self.held: list[tuple[int, date]] = []  # slots held in the run (201)
        self.replayable: list[tuple[str, dict[str, Any], str]] = []  # (key, body, code)
        self.unpaid: deque[tuple[str, str]] = deque()  # (code, approved payment id in the fake), not notified yet
        self.phones = itertools.count()
        self.fake_errors: Counter[str] = Counter()
        self.reset()

    def reset(self) -> None:
        """Forget the figures (after the warm-up); the held dates stay held."""
        self.routes = _routes()
        self.notified: dict[str, str] = {}  # code -> payment id, notification accepted
        self.notified_list: list[str] = []
        self.whatsapp_due: dict[str, float] = {}  # phone -> when its accepted webhook was due

    async def call(self, route: str, due: float, method: str, url: str, **kw: Any) -> httpx.Response | None:
        return await self.routes[route].call(self.client, due, method, url, **kw)

    def answered(self) -> dict[str, int]:
        """How many answers each route but /healthz has had so far."""
        return {name: len(r.latencies) for name, r in self.routes.items() if name != "healthz"}

    # --- the kinds of request -------------------------------------------------

    async def availability(self, due: float) -> None:
        span = 3 * (self.slot // CABINS + 2)  # over the dates holds have reached, and a little beyond
        check_in = self.today + timedelta(days=FIRST_DAY + self.rng.randrange(span))
        params = {
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=self.rng.randint(2, 4))).isoformat(),
            "guests": self.rng.randint(2, 4),
        }
        await self.call(
            "availability",
            due,
            "GET",
            f"/api/v1/accommodations/{self.rng.choice(self.cabins)}/availability",
            params=params,
        )

    async def whatsapp(self, due: float) -> None:
        phone = f"54922{next(self.phones):08d}"
        raw = whatsapp.envelope(whatsapp.text(phone, self.rng.choice(TEXTS)), name=self.rng.choice(NAMES))
        headers = whatsapp.signed(WHATSAPP_SECRET, raw)
        if await self.call("whatsapp", due, "POST", "/api/v1/webhooks/whatsapp", content=raw, headers=headers):
            self.whatsapp_due[phone] = due

    def _body(self, cabin: int, check_in: date) -> dict[str, Any]:
        return {
            "accommodation_id": cabin,
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=STAY)).isoformat(),
            "guests": self.rng.randint(2, 4),
            "guest_name": self.rng.choice(NAMES),
            "guest_phone": f"+54911{self.rng.randrange(10**8):08d}",
        }

    async def reservation(self, due: float) -> None:
        draw = self.rng.random()
        if draw < 0.05 and self.replayable:
            key, body, code = self.rng.choice(self.replayable)
            reply = await self.call(
                "replay", due, "POST", "/api/v1/reservations", json=body, headers={"Idempotency-Key": key}
            )
            if reply is not None and reply.json()["code"] != code:
                self.routes["replay"].errors["another code"] += 1
            return
        if draw < 0.25 and self.held:
            cabin, day = self.rng.choice(self.held)
            body = self._body(cabin, day + timedelta(days=self.rng.choice((0, 1))))  # the same stay, or a day later
            reply = await self.call(
                "conflict",
                due,
                "POST",
                "/api/v1/reservations",
                json=body,
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            if reply is not None and reply.json()["error"]["code"] != "dates_unavailable":
                self.routes["conflict"].errors[f"409 {reply.json()['error']['code']}"] += 1
            return
        slot, self.slot = self.slot, self.slot + 1
        cabin, day = self.cabins[slot % CABINS], self.today + timedelta(days=FIRST_DAY + 3 * (slot // CABINS))
        key, body = uuid.uuid4().hex, self._body(cabin, day)
        reply = await self.call(
            "reserve", due, "POST", "/api/v1/reservations", json=body, headers={"Idempotency-Key": key}
        )
        if reply is None:
            return
        held = reply.json()
        self.held.append((cabin, day))
        self.replayable.append((key, body, held["code"]))
        if not held.get("payment_url"):
            self.fake_errors["hold without payment_url"] += 1
        try:  # the guest pays in the checkout: an approved payment in the fake, notified later
            payment = {"status": "approved", "amount": held["deposit"] / 100, "currency": held["currency"]}
            paid = await self.fake.post("/_control/payments", json=payment | {"external_reference": held["code"]})
            paid.raise_for_status()
        except httpx.HTTPError as exc:
            self.fake_errors[f"fake payment: {type(exc).__name__}"] += 1
            return
        self.unpaid.append((held["code"], str(paid.json()["id"])))

    async def mercadopago(self, due: float) -> None:
        if self.unpaid and (self.rng.random() >= 0.1 or not self.notified_list):
            route, (code, payment_id) = "mercadopago", self.unpaid.popleft()
        elif self.notified_list:
            code = self.rng.choice(self.notified_list)
            route, payment_id = "duplicate", self.notified[code]
        else:  # nothing paid yet (the first second): the arrival still comes, as a query
            return await self.availability(due)
        sent = notification(MERCADOPAGO_SECRET, payment_id)
        url = f"/api/v1/webhooks/mercadopago?{sent.query}"
        if await self.call(route, due, "POST", url, json=sent.body, headers=sent.headers) and code not in self.notified:
            self.notified[code] = payment_id
            self.notified_list.append(code)

    async def healthz(self, due: float) -> None:
        await self.call("healthz", due, "GET", "/api/v1/healthz")

    # --- open loop --------------------------------------------------------------

    async def run(
        self, rate: float, duration: float, every: float | None, tick: Callable[[float], None]
    ) -> tuple[float, OpenLoop]:
        """The arrivals for `duration` s, then every answer; the arrivals' span, and how they were sent."""
        sender = OpenLoop(MAX_IN_FLIGHT)
        kinds = [getattr(self, k) for k in MIX]
        weights = list(MIX.values())
        start = time.monotonic()

        async def ticks() -> None:
            for i in itertools.count(1):
                if every is None or i * every > duration:
                    return
                await asyncio.sleep(max(0.0, start + i * every - time.monotonic()))
                tick(i * every)

        await asyncio.gather(
            sender.arrivals(
                start, poisson(rate, duration, self.arrivals_rng), lambda: self.arrivals_rng.choices(kinds, weights)[0]
            ),
            sender.arrivals(start, evenly(PROBE_RATE, duration), lambda: self.healthz),
            ticks(),
        )
        span = time.monotonic() - start
        await sender.drain()
        return span, sender


def _idle(times: Any) -> float:
    return float(times.idle + getattr(times, "iowait", 0.0))


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    ram = psutil.virtual_memory().total / 2**30
    load1 = os.getloadavg()[0]
    return f"{os.cpu_count()} CPUs ({model}), {ram:.0f} GiB RAM, Python {platform.python_version()}, load average {load1:.1f}"


def report(load: Load, span: float, sender: OpenLoop) -> None:
    health = statistics.median(load.routes["healthz"].latencies) if load.routes["healthz"].latencies else float("nan")
    print(
        f"{'route':<40} {'sent':>6} {'done/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'p50/healthz':>12}"
    )
    for r in load.routes.values():
        if not r.sent:
            continue
        errors = sum(r.errors.values())
        p50 = pct(r.latencies, 50)
        print(
            f"{r.label:<40} {r.sent:6d} {len(r.latencies) / span:7.2f} {p50:8.1f} {pct(r.latencies, 95):8.1f}"
            f" {pct(r.latencies, 99):8.1f} {100 * errors / r.sent:6.1f}% {p50 / (health * 1000):11.1f}x"
        )
    for r in load.routes.values():
        if r.errors:
            print(f"  unexpected on {r.label.strip()}: " + ", ".join(f"{k} ×{n}" for k, n in r.errors.most_common()))
    conflict = load.routes["conflict"]
    print(
        f"deliberate conflicts answered 409 dates_unavailable: {conflict.sent - sum(conflict.errors.values())} of {conflict.sent}"
    )
    lag = sorted(sender.lag)
    print(
        f"arrivals sent {len(lag)}, shed {sender.shed} (over {MAX_IN_FLIGHT} in flight); generator lag p99 {pct(lag, 99):.1f} ms,"
        f" max {lag[-1] * 1000 if lag else 0:.1f} ms (the client's own delay in sending what was due)"
    )
    if lag and pct(lag, 99) > 50:
        print(
            "  WARNING: the client itself fell behind (lag p99 > 50 ms): CPU is short on this machine;"
            " latencies count from when each request was due, so they include that delay"
        )
    if load.fake_errors:
        print("  client side: " + ", ".join(f"{k} ×{n}" for k, n in load.fake_errors.items()))


async def wait_replies(load: Load, running: System, quiet: bool = False) -> None:
    assert running.graph is not None
    due = load.whatsapp_due
    deadline = time.monotonic() + DRAIN_SECONDS
    first: dict[str, float] = {}
    while time.monotonic() < deadline:
        with running.graph.lock:
            arrivals = list(running.graph.arrivals)
        first = {}
        for to, at in arrivals:
            first.setdefault(to, at)
        if all(phone in first for phone in due):
            break
        await asyncio.sleep(0.2)
    replied = [first[p] - t for p, t in due.items() if p in first]
    lost = sorted(set(due) - set(first))
    if quiet:
        return
    print(
        f"WhatsApp: {len(due)} messages accepted, {len(replied)} replied at the Graph fake, {len(lost)} lost"
        f" (after {DRAIN_SECONDS:.0f} s); due → reply p50 {pct(replied, 50):.1f} ms  p95 {pct(replied, 95):.1f} ms"
        f"  p99 {pct(replied, 99):.1f} ms"
    )
    if lost:
        print(f"  no reply to: {', '.join(lost[:10])}{' …' if len(lost) > 10 else ''}")


async def wait_confirmed(load: Load, running: System) -> None:
    codes = list(load.notified)
    started = time.monotonic()
    conn = await asyncpg.connect(running.postgres.url)
    try:
        while True:
            rows = await conn.fetch(
                "SELECT code, status::text FROM booking.reservations WHERE code = ANY($1::text[])", codes
            )
            status = {r["code"]: r["status"] for r in rows}
            pending = [c for c in codes if status.get(c) != "confirmed"]
            if not pending or time.monotonic() - started > DRAIN_SECONDS:
                break
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    print(
        f"Mercado Pago: {len(codes)} holds paid and notified ({load.routes['duplicate'].sent} repeats),"
        f" {len(codes) - len(pending)} confirmed, {len(pending)} lost (waited {time.monotonic() - started:.1f} s)"
    )
    if pending:
        print("  not confirmed: " + ", ".join(f"{c} ({status.get(c)})" for c in pending[:10]))


async def limiter_figures(client: httpx.AsyncClient) -> int:
    """The gateway's rate-limit counters: the limit is lifted, but the check still runs on every request
    and fails open when Redis cannot be asked; how many requests went through unchecked."""
    counters: Counter[str] = Counter()
    for line in (await client.get("/metrics")).text.splitlines():
        name, _, value = line.partition(" ")
        if name.startswith(("gateway_rate_limit_errors_total", "gateway_rate_limited_total")):
            counters[name.split("{")[0]] += int(float(value))
    print(
        f"gateway rate limiter: {counters['gateway_rate_limit_errors_total']} requests let through unchecked"
        f" (Redis not asked), {counters['gateway_rate_limited_total']} refused with 429"
    )
    return counters["gateway_rate_limit_errors_total"]


def log_offsets(logs: Path) -> dict[str, int]:
    return {p.stem: p.stat().st_size for p in logs.glob("*.log")}


def log_summary(logs: Path, offsets: dict[str, int]) -> int:
    """WARNING and above that each process logged during the load, the commonest first; how many."""
    found: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for path in sorted(logs.glob("*.log")):
        levels: Counter[str] = Counter()
        messages: Counter[str] = Counter()
        with path.open("rb") as f:
            f.seek(offsets.get(path.stem, 0))
            for line in f.read().decode(errors="replace").splitlines():
                try:
                    event = json.loads(line)
                    level, msg = str(event.get("level", "?")), str(event.get("msg", ""))[:160]
                except (ValueError, AttributeError):  # uvicorn's own "LEVEL:     message" (the fake's access log)
                    head, _, rest = line.partition(":")
                    level, msg = (head, rest.strip()[:160]) if head.isupper() else ("unstructured", line[:160])
                if level not in ("DEBUG", "INFO"):
                    levels[level] += 1
                    messages[f"{level} {msg}"] += 1
        if levels:
            found[path.stem] = (levels, messages)
    if not found:
        print("log lines at WARNING or above during the load: none")
    for name, (levels, messages) in found.items():
        print(f"log lines at WARNING or above, {name}: " + ", ".join(f"{k} {n}" for k, n in levels.items()))
        for msg, n in messages.most_common(3):
            print(f"      ×{n} {msg}")
    return sum(sum(levels.values()) for levels, _ in found.values())


def memory_table(before: dict[str, float], after: dict[str, float]) -> None:
    print(f"{'RSS MiB':<20} {'start':>8} {'end':>8} {'growth':>8}")
    for name in before:
        grow = after[name] - before[name]
        label = "postgres (PSS, all)" if name == "postgres" else name
        print(f"{label:<20} {before[name]:8.1f} {after[name]:8.1f} {grow:+8.1f} ({100 * grow / before[name]:+.0f} %)")
    total_before, total_after = sum(before.values()), sum(after.values())
    print(f"{'all':<20} {total_before:8.1f} {total_after:8.1f} {total_after - total_before:+8.1f}")


async def drive(running: System, args: argparse.Namespace, logs: Path) -> int:
    """The warm-up, the load and the report; how many log lines and dead processes are worth a look."""
    assert running.mercadopago is not None
    cabins = create_cabins(running.addr("booking"), CABINS, capacity=6, name="Cabaña {i}")
    procs = {**running.measured(), "load client": psutil.Process()}
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them under a request.
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=200, keepalive_expiry=2)
    async with (
        httpx.AsyncClient(base_url=running.gateway, limits=limits, timeout=30) as client,
        httpx.AsyncClient(base_url=running.mercadopago, timeout=30) as fake,
    ):
        load = Load(client, fake, cabins, args.seed)
        # Warm-up, not counted: connections, caches, the first parse of each kind.
        for one in (load.availability, load.whatsapp, load.reservation, load.mercadopago, load.healthz):
            await one(time.monotonic())
        await wait_replies(load, running, quiet=True)
        load.reset()

        offsets = log_offsets(logs)
        rss_before, cpu_before, machine_before = rss_mib(procs), cpu_seconds(procs), psutil.cpu_times()
        seen = load.answered()

        def tick(at: float) -> None:  # a line a minute in a soak: drift shows here
            nonlocal seen
            done = load.answered()
            recent = [x for name, n in done.items() for x in load.routes[name].latencies[seen[name] : n]]
            seen = done
            errors = sum(sum(r.errors.values()) for r in load.routes.values())
            rss = rss_mib(procs)
            print(
                f"  t={at:5.0f} s  answered {sum(done.values()):6d}  errors {errors:4d}  last minute p50 {pct(recent, 50):6.1f} ms"
                f" p95 {pct(recent, 95):7.1f} ms  RSS gateway {rss['gateway']:.0f} MiB, all {sum(rss.values()):.0f} MiB",
                flush=True,
            )

        print(
            f"{args.duration:g} s at {args.rate:g} requests/s (Poisson, open loop) + /healthz {PROBE_RATE:g}/s;"
            f" {CABINS} cabins; RATE_LIMIT_REQUESTS / RATE_LIMIT_WEBHOOK_REQUESTS lifted; {machine()}",
            flush=True,
        )
        started = time.monotonic()
        span, sender = await load.run(args.rate, args.duration, 60.0 if args.soak else None, tick)
        elapsed = time.monotonic() - started  # the arrivals and every answer
        cpu_used = {k: v - cpu_before[k] for k, v in cpu_seconds(procs).items()}
        machine_after = psutil.cpu_times()
        report(load, span, sender)
        await wait_replies(load, running)
        await wait_confirmed(load, running)
        unchecked = await limiter_figures(client)
        rss_after = rss_mib(procs)
    print(
        f"CPU during the load ({elapsed:.1f} s, % of one core): "
        + ", ".join(f"{k} {100 * v / elapsed:.0f}" for k, v in cpu_used.items())
    )
    busy = sum(machine_after) - sum(machine_before) - (_idle(machine_after) - _idle(machine_before))
    print(
        f"machine: {100 * busy / elapsed:.0f} % of one core busy in all ({os.cpu_count()} cores),"
        f" {100 * sum(cpu_used.values()) / elapsed:.0f} % this system and its client, the rest other work"
    )
    dead = [f"{name} (exit {proc.returncode})" for name, proc in running.procs.items() if proc.poll() is not None]
    print("processes: " + (f"EXITED: {', '.join(dead)}" if dead else f"all {len(running.procs)} still running"))
    noted = log_summary(logs, offsets) + len(dead) + unchecked
    if args.soak:
        memory_table(rss_before, rss_after)
    return noted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, help="seconds of load (default 20, or 600 with --soak)")
    parser.add_argument("--rate", type=float, default=20, help="requests a second in total, /healthz not counted")
    parser.add_argument("--soak", action="store_true", help="longer; RSS of every process before and after")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.duration = args.duration or (600.0 if args.soak else 20.0)
    logs = Path(tempfile.mkdtemp(prefix="cabanas-load-logs-"))
    noted = 1  # kept if the run fails
    try:
        with system(SERVICES, mercadopago=True, whatsapp=True, logs=logs) as running:
            noted = asyncio.run(drive(running, args, logs))
    finally:
        if noted:
            print(f"the processes' logs are kept in {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    main()
