"""Bounded chaos on loopback: a steady mixed load while the booking process, the
messaging process, Redis and Postgres are stopped and restarted in turn.

The system here has its own Postgres and Redis (it restarts them) and its own
processes; the Mercado Pago fake and the WhatsApp Graph fake are the session's
(everything checked here is keyed by this test's own ids). During an outage a
client may get 5xx; what was acknowledged must be kept. Within
RECOVERY_SECONDS of the last restart the gateway is ready again and everything
acknowledged has been applied, exactly once. Redis and Postgres come back
under the same processes: nothing but the stopped service is restarted.
"""

import asyncio
import random
import signal
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
import redis.asyncio as aioredis
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cabanas.v1 import booking_pb2_grpc
from devtools.devstack import SERVICES, spawn, stop_children, wait_serving
from devtools.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from gateway.signatures import mercadopago_signature, whatsapp_signature
from services.booking.tests.helpers import make_cabin
from tests.stack import MERCADOPAGO_SECRET, WHATSAPP_SECRET, Infra, Stack, stack_env, start_stack
from testsupport.otlp import OtlpReceiver
from testsupport.whatsapp import envelope, text

RECOVERY_SECONDS = 30.0  # after the last restart: ready, and every acknowledged webhook applied
OUTAGE_SECONDS = 2.5  # how long each thing stays down
EXPIRY_SLACK = "6 seconds"  # the expiry loop runs every 5 s
WORDS = ("hola", "ayuda", "gracias")  # each answered with exactly one reply
HOLDING = "status IN ('pre_reserved', 'confirmed', 'blocked')"


@dataclass
class Chaos:
    infra: Infra  # its own Postgres and Redis; the session's fakes
    stack: Stack
    cabins: list[int]


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory, infra: Infra, otlp: OtlpReceiver) -> Iterator[Chaos]:
    base = tmp_path_factory.mktemp("chaos")
    own = Infra(
        EmbeddedPostgres(base / "postgres", free_port(), durable=False),
        EmbeddedRedis(base / "redis", free_port(), durable=False),
        infra.mercadopago_url,
        infra.models,
        infra.graph,
        infra.smtp,
    )
    processes: dict[str, Any] = {}
    try:
        own.postgres.start()
        own.redis.start()
        env = stack_env(own, otlp) | {"RATE_LIMIT_WEBHOOK_REQUESTS": "1000000"}
        env.pop("OTEL_EXPORTER_OTLP_ENDPOINT")  # the session's receiver belongs to the tracing tests
        (base / "logs").mkdir()
        stack = start_stack(env, logs=base / "logs")  # each process's log: <pytest tmp>/chaos0/logs/<name>.log
        processes = stack.processes  # restarts replace entries in this same dict
        with grpc.insecure_channel(stack.addr("booking")) as channel:
            stub = booking_pb2_grpc.BookingServiceStub(channel)
            cabins = [make_cabin(stub).id for _ in range(3)]
        yield Chaos(own, stack, cabins)
    finally:
        stop_children(processes)
        own.redis.stop()
        own.postgres.stop()


# Faults ---------------------------------------------------------------------------


async def restart_service(stack: Stack, name: str, sig: signal.Signals) -> None:
    """Stop one service process (SIGTERM drains, SIGKILL crashes), leave it down, start it on its port."""
    old = stack.processes[name]
    old.send_signal(sig)
    await asyncio.to_thread(old.wait, 30)
    await asyncio.sleep(OUTAGE_SECONDS)
    stack.processes[name] = spawn(f"services.{name}", stack.env, stack.log(name))
    await asyncio.to_thread(wait_serving, name, stack.addr(name), stack.processes[name])


async def restart_server(server: EmbeddedPostgres | EmbeddedRedis) -> None:
    """Stop Postgres or Redis, leave it down, start it again on the same port and data."""
    await asyncio.to_thread(server.stop)
    await asyncio.sleep(OUTAGE_SECONDS)
    await asyncio.to_thread(server.start)


def services_serving(stack: Stack) -> dict[str, str]:
    """Each service's readiness as its own gRPC health reports it."""
    found = {}
    for name in SERVICES:
        with grpc.insecure_channel(stack.addr(name)) as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
                found[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
            except grpc.RpcError as exc:
                found[name] = exc.code().name
    return found


async def ready_within(client: httpx.AsyncClient, stack: Stack, deadline: float) -> float:
    """Poll readiness until every check is ok (Redis included); the time it took, from now."""
    started, last = time.monotonic(), ""
    while True:
        try:
            reply = await client.get("/api/v1/readyz", timeout=5)
            if reply.status_code == 200 and reply.json()["status"] == "ok":
                return time.monotonic() - started
            last = reply.text
        except httpx.HTTPError as exc:
            last = repr(exc)
        if time.monotonic() > deadline:
            serving = await asyncio.to_thread(services_serving, stack)
            pytest.fail(f"not ready within {RECOVERY_SECONDS:.0f} s of the last restart: {last} {serving}")
        await asyncio.sleep(0.2)


# The load ------------------------------------------------------------------------


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def error_code(reply: httpx.Response) -> str:
    try:
        return str(reply.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "?"


@dataclass
class Load:
    """A few clients hitting the gateway for as long as `running` is set; every answer is recorded."""

    client: httpx.AsyncClient
    mercadopago: httpx.AsyncClient  # the fake's control API, where payments are made
    cabins: list[int]
    postgres_url: str
    running: asyncio.Event = field(default_factory=asyncio.Event)
    rng: random.Random = field(default_factory=lambda: random.Random(20240611))
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, "status [error code]" or exception)
    held: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # Idempotency-Key -> codes (201)
    to_pay: list[tuple[str, int]] = field(default_factory=list)  # (code, deposit)
    to_run_out: list[str] = field(default_factory=list)
    paid: dict[str, str] = field(default_factory=dict)  # payment id -> reservation code
    payments_acked: set[str] = field(default_factory=set)
    messages: dict[str, bytes] = field(default_factory=dict)  # wamid -> the signed delivery
    messages_acked: set[str] = field(default_factory=set)
    ran_out: int = 0  # holds made to run out

    async def _call(self, kind: str, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        try:
            reply = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.answers[(kind, type(exc).__name__)] += 1
            return None
        code = f" {error_code(reply)}" if 400 <= reply.status_code < 500 else ""
        self.answers[(kind, f"{reply.status_code}{code}")] += 1
        return reply

    # Holds: a share of them race for the same dates; a failed one is retried with its key.

    async def hold(self, cabin: int, start: int, nights: int) -> dict[str, Any] | None:
        key = uuid.uuid4().hex
        body = {
            "accommodation_id": cabin,
            "check_in": day(start),
            "check_out": day(start + nights),
            "guests": 2,
            "guest_name": "Ana Pérez",
            "guest_phone": f"+54911{self.rng.randrange(10**7, 10**8)}",
        }
        for _ in range(4):
            reply = await self._call(
                "hold", "POST", "/api/v1/reservations", json=body, headers={"Idempotency-Key": key}
            )
            if reply is not None and reply.status_code == 201:
                created = reply.json()
                self.held[key].add(created["code"])
                return created
            if reply is not None and reply.status_code < 500 and error_code(reply) != "request_in_progress":
                return None  # the dates are taken
            await asyncio.sleep(0.5)
        return None

    async def holds(self) -> None:
        n = 0
        while self.running.is_set():
            cabin, start, nights = self.rng.choice(self.cabins), self.rng.randrange(20, 600), self.rng.randint(1, 3)
            racers = 3 if self.rng.random() < 0.3 else 1
            for created in await asyncio.gather(*(self.hold(cabin, start, nights) for _ in range(racers))):
                if created is None:
                    continue
                n += 1
                if n % 3 == 0:
                    self.to_pay.append((created["code"], created["deposit"]))
                elif n % 3 == 1:
                    self.to_run_out.append(created["code"])
            await asyncio.sleep(0.2)

    async def availability(self) -> None:
        while self.running.is_set():
            cabin, start = self.rng.choice(self.cabins), self.rng.randrange(20, 600)
            params = {"check_in": day(start), "check_out": day(start + 2), "guests": 2}
            await self._call("availability", "GET", f"/api/v1/accommodations/{cabin}/availability", params=params)
            await asyncio.sleep(0.2)

    async def run_out(self) -> None:
        """Some holds run out (as if their time had passed), so the expiry loop has work across the outages."""
        while self.running.is_set():
            await asyncio.sleep(0.5)
            if not self.to_run_out:
                continue
            codes, self.to_run_out = self.to_run_out, []
            try:
                conn = await asyncpg.connect(self.postgres_url, timeout=2)
                try:
                    await conn.execute(
                        "UPDATE booking.reservations SET expires_at = now() - interval '1 second'"
                        " WHERE code = ANY($1) AND status = 'pre_reserved'",
                        codes,
                    )
                finally:
                    await conn.close()
                self.ran_out += len(codes)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                self.to_run_out += codes  # Postgres is down: later

    # WhatsApp: new messages from a few guests, Meta's duplicate deliveries and its retries of refused ones.

    async def deliver(self, wamid: str) -> bool:
        raw = self.messages[wamid]
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": whatsapp_signature(WHATSAPP_SECRET, raw)}
        reply = await self._call("whatsapp", "POST", "/api/v1/webhooks/whatsapp", content=raw, headers=headers)
        if reply is not None and reply.status_code == 200:
            self.messages_acked.add(wamid)
            return True
        return False

    async def whatsapp(self) -> None:
        guests = [f"549{self.rng.randrange(10**9, 10**10)}" for _ in range(8)]
        while self.running.is_set():
            refused = [w for w in self.messages if w not in self.messages_acked]
            draw = self.rng.random()
            if draw < 0.15 and self.messages_acked:
                wamid = self.rng.choice(sorted(self.messages_acked))  # a duplicate delivery
            elif draw < 0.3 and refused:
                wamid = self.rng.choice(refused)  # Meta retries what was not acknowledged
            else:
                wamid = f"wamid.chaos.{uuid.uuid4().hex}"
                self.messages[wamid] = envelope(text(self.rng.choice(guests), self.rng.choice(WORDS), wamid))
            await self.deliver(wamid)
            await asyncio.sleep(0.15)

    # Mercado Pago: an approved payment of the deposit for some holds, notified (sometimes twice).

    async def notify(self, payment_id: str) -> bool:
        request_id, ts = str(uuid.uuid4()), str(int(time.time() * 1000))
        headers = {
            "x-request-id": request_id,
            "x-signature": mercadopago_signature(MERCADOPAGO_SECRET, payment_id, request_id, ts),
        }
        body = {"action": "payment.updated", "type": "payment", "data": {"id": payment_id}}
        url = f"/api/v1/webhooks/mercadopago?data.id={payment_id}&type=payment"
        reply = await self._call("mercadopago", "POST", url, json=body, headers=headers)
        if reply is not None and reply.status_code == 200:
            self.payments_acked.add(payment_id)
            return True
        return False

    async def payments(self) -> None:
        while self.running.is_set():
            await asyncio.sleep(0.3)
            refused = [p for p in self.paid if p not in self.payments_acked]
            if refused and self.rng.random() < 0.3:
                await self.notify(self.rng.choice(refused))  # Mercado Pago retries too
                continue
            if not self.to_pay:
                continue
            code, deposit = self.to_pay.pop(0)
            made = await self.mercadopago.post(
                "/_control/payments",
                json={"status": "approved", "amount": deposit / 100, "currency": "ARS", "external_reference": code},
            )
            payment_id = str(made.json()["id"])
            self.paid[payment_id] = code
            for _ in range(2 if self.rng.random() < 0.3 else 1):
                await self.notify(payment_id)

    async def redeliver_refused(self, deadline: float) -> None:
        """After the outages, what was never acknowledged is sent again (as Meta and Mercado Pago do)."""
        for wamid in [w for w in self.messages if w not in self.messages_acked]:
            while not await self.deliver(wamid):
                assert time.monotonic() < deadline, f"message {wamid} still refused"
                await asyncio.sleep(0.3)
        for payment_id in [p for p in self.paid if p not in self.payments_acked]:
            while not await self.notify(payment_id):
                assert time.monotonic() < deadline, f"notification of {payment_id} still refused"
                await asyncio.sleep(0.3)


# Checks --------------------------------------------------------------------------


async def behind(conn: asyncpg.Connection, load: Load) -> dict[str, list[str]]:
    """What the system has not caught up on yet (empty lists when it has)."""
    wamids, payment_ids, codes = sorted(load.messages_acked), sorted(load.payments_acked), sorted(load.paid.values())
    processed = {
        r["wamid"]
        for r in await conn.fetch(
            "SELECT wamid FROM messaging.inbox WHERE wamid = ANY($1) AND processed_at IS NOT NULL", wamids
        )
    }
    applied = {
        r["resource_id"]
        for r in await conn.fetch(
            "SELECT resource_id FROM payments.notifications WHERE resource_id = ANY($1)"
            " GROUP BY resource_id HAVING bool_and(processed_at IS NOT NULL)",
            payment_ids,
        )
    }
    confirmed = {
        r["code"]
        for r in await conn.fetch(
            "SELECT code FROM booking.reservations WHERE code = ANY($1) AND status = 'confirmed'", codes
        )
    }
    stuck = await conn.fetch(
        "SELECT code FROM booking.reservations WHERE status = 'pre_reserved'"
        f" AND expires_at < now() - interval '{EXPIRY_SLACK}'"
    )
    late = await conn.fetch(
        "SELECT id, resource_id, attempts, round(extract(epoch FROM next_attempt_at - now())) AS due_in, last_error"
        " FROM payments.notifications WHERE processed_at IS NULL"
    )
    return {
        "notifications pending": [str(dict(r)) for r in late],  # acknowledged or not: all are applied
        "messages not processed": [w for w in wamids if w not in processed],
        "notifications not processed": [p for p in payment_ids if p not in applied],
        "paid holds not confirmed": [c for c in codes if c not in confirmed],
        "holds past their expiry": [r["code"] for r in stuck],
    }


async def caught_up_by(postgres_url: str, load: Load, deadline: float) -> None:
    while True:
        try:
            conn = await asyncpg.connect(postgres_url, timeout=2)
            try:
                left = await behind(conn, load)
            finally:
                await conn.close()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            left = {"postgres": [repr(exc)]}
        if not any(left.values()):
            return
        assert time.monotonic() < deadline, f"not caught up {RECOVERY_SECONDS:.0f} s after the last restart: {left}"
        await asyncio.sleep(0.3)


async def assert_exactly_once(conn: asyncpg.Connection, load: Load) -> None:
    # No double booking, whatever the outages did.
    overlaps = await conn.fetchval(
        "SELECT count(*) FROM booking.reservations a JOIN booking.reservations b ON a.id < b.id"
        " AND a.accommodation_id = b.accommodation_id AND a.period && b.period"
        f" WHERE a.{HOLDING} AND b.{HOLDING}"
    )
    assert overlaps == 0, "double booking"

    # An Idempotency-Key holds once: every 201 for one key names the one reservation holding it.
    by_key = dict(
        await conn.fetch(
            "SELECT idempotency_key, code FROM booking.reservations WHERE idempotency_key = ANY($1)", list(load.held)
        )
    )
    for key, codes in load.held.items():
        assert codes == {by_key[key]}, (key, codes, by_key.get(key))

    # Every acknowledged WhatsApp message is stored once, processed, and answered exactly once.
    inbox = dict(
        await conn.fetch("SELECT wamid, count(*) FROM messaging.inbox WHERE wamid LIKE 'wamid.chaos.%' GROUP BY wamid")
    )
    assert set(inbox) <= set(load.messages), "a message nobody sent"
    assert load.messages_acked <= set(inbox), "an acknowledged message was lost"
    assert set(inbox.values()) == {1}
    replies: dict[str, list[int]] = defaultdict(list)
    for row in await conn.fetch("SELECT dedupe_key FROM messaging.outbox WHERE dedupe_key LIKE 'reply:wamid.chaos.%'"):
        wamid, n = row["dedupe_key"].removeprefix("reply:").rsplit(":", 1)
        replies[wamid].append(int(n))
    assert {w: sorted(n) for w, n in replies.items()} == {w: [0] for w in inbox}, "not exactly one reply per message"

    # Every acknowledged notification was applied once: one payment row, one approval, one confirmation.
    payments = {
        r["external_id"]: r
        for r in await conn.fetch("SELECT * FROM payments.payments WHERE external_id = ANY($1)", list(load.paid))
    }
    stored = dict(
        await conn.fetch(
            "SELECT resource_id, count(*) FROM payments.notifications WHERE resource_id = ANY($1) GROUP BY 1",
            list(load.paid),
        )
    )
    approvals = Counter(
        r["id"]
        for r in await conn.fetch(
            "SELECT payload->>'external_id' AS id FROM payments.outbox WHERE type = 'payment.approved'"
        )
    )
    confirmations = Counter(
        r["code"]
        for r in await conn.fetch(
            "SELECT payload->>'code' AS code FROM booking.outbox WHERE type = 'reservation.confirmed'"
        )
    )
    reservations = {
        r["code"]: r
        for r in await conn.fetch(
            "SELECT code, status, payment_reference FROM booking.reservations WHERE code = ANY($1)",
            list(load.paid.values()),
        )
    }
    assert set(payments) == set(load.paid), "every payment was notified and acknowledged in the end"
    for payment_id, code in load.paid.items():
        row = payments[payment_id]
        assert (row["status"], row["issue"], row["reservation_code"]) == ("approved", "none", code), dict(row)
        assert row["confirmed_at"] is not None
        assert row["events_count"] == stored[payment_id], "each stored notification applied exactly once"
        assert approvals[payment_id] == 1, payment_id
        assert confirmations[code] == 1, code
        assert reservations[code]["status"] == "confirmed"
        assert reservations[code]["payment_reference"] == f"mercadopago:{payment_id}"
    assert max(confirmations.values(), default=1) == 1, "a reservation confirmed twice"


def assert_answers(load: Load) -> None:
    """Outages may answer 5xx (or time out); nothing else that is not the normal answer."""
    normal = {
        "hold": {"201", "409 dates_unavailable", "409 request_in_progress"},
        "availability": {"200"},
        "whatsapp": {"200"},
        "mercadopago": {"200"},
    }
    odd = {
        (kind, status): n
        for (kind, status), n in load.answers.items()
        if status not in normal[kind] and not status.startswith("5") and not status.endswith(("Error", "Timeout"))
    }
    assert not odd, odd
    for kind in normal:
        ok = sum(n for (k, status), n in load.answers.items() if k == kind and status in normal[kind])
        assert ok >= 5, f"the {kind} load barely ran: {load.answers}"


# Tests ---------------------------------------------------------------------------


async def test_services_reconnect_after_redis_and_postgres_restarts(chaos: Chaos) -> None:
    """Redis, then Postgres, restarted under running processes: every service and the
    gateway reconnect by themselves, and work caught by the outage is finished."""
    infra, stack = chaos.infra, chaos.stack
    pids = {name: p.pid for name, p in stack.processes.items()}
    async with (
        httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client,
        httpx.AsyncClient(base_url=infra.mercadopago_url, timeout=10) as mercadopago,
    ):
        probe = Load(client, mercadopago, chaos.cabins, infra.postgres.url)
        await restart_server(infra.redis)
        await ready_within(client, stack, time.monotonic() + RECOVERY_SECONDS)
        # Booking's readiness ignores Redis (its locks are optional), so check its client came
        # back another way: with the cabin's lock taken in the new Redis, a hold waits out
        # booking's lock wait (2 s, services/booking/locks.py) before the database decides.
        redis = aioredis.Redis.from_url(infra.redis.url)
        try:
            await redis.set(f"booking:lock:accommodation:{chaos.cabins[0]}", "taken", px=10_000)
            started = time.monotonic()
            held = await probe.hold(chaos.cabins[0], 700, 2)
            waited = time.monotonic() - started
        finally:
            await redis.aclose()
        assert held is not None, probe.answers
        assert waited >= 2.0, "booking did not see the lock in the restarted Redis"

        # A notification still being processed when Postgres goes away: Mercado Pago answers
        # the first two lookups with 503, so the third (after 1.5 s of backoff) finds
        # Postgres stopped. It must be retried once Postgres is back, not after its lease.
        made = await mercadopago.post(
            "/_control/payments",
            json={
                "status": "approved",
                "amount": held["deposit"] / 100,
                "currency": "ARS",
                "external_reference": held["code"],
            },
        )
        payment_id = str(made.json()["id"])
        probe.paid[payment_id] = held["code"]
        await mercadopago.post("/_control/state", json={"failures": [503, 503]})
        try:
            assert await probe.notify(payment_id), probe.answers
            await restart_server(infra.postgres)
            deadline = time.monotonic() + RECOVERY_SECONDS
            await ready_within(client, stack, deadline)
        finally:
            await mercadopago.post("/_control/state", json={"failures": []})  # the fake is the session's

        wamid = f"wamid.probe.{uuid.uuid4().hex}"
        probe.messages[wamid] = envelope(text(f"549{random.randrange(10**9, 10**10)}", "hola", wamid))
        assert await probe.deliver(wamid), probe.answers
        await caught_up_by(infra.postgres.url, probe, deadline)

    assert {name: p.pid for name, p in stack.processes.items()} == pids, "no process was restarted"
    assert all(p.poll() is None for p in stack.processes.values())
    assert set((await asyncio.to_thread(services_serving, stack)).values()) == {"SERVING"}


async def test_mixed_load_through_service_redis_and_postgres_restarts(chaos: Chaos) -> None:
    infra, stack = chaos.infra, chaos.stack
    untouched = {name: stack.processes[name] for name in ("payments", "speech", "calendar", "gateway")}
    async with (
        httpx.AsyncClient(base_url=stack.gateway_url, timeout=8, limits=httpx.Limits(max_connections=50)) as client,
        httpx.AsyncClient(base_url=infra.mercadopago_url, timeout=8) as mercadopago,
    ):
        load = Load(client, mercadopago, chaos.cabins, infra.postgres.url)
        load.running.set()
        clients = [
            asyncio.create_task(work())
            for work in (load.holds, load.holds, load.availability, load.whatsapp, load.payments, load.run_out)
        ]
        try:
            await asyncio.sleep(3)
            await restart_service(stack, "booking", signal.SIGTERM)  # a deploy: drains in-flight calls
            await asyncio.sleep(2)
            await restart_service(stack, "messaging", signal.SIGKILL)  # a crash
            await asyncio.sleep(2)
            await restart_server(infra.redis)
            await asyncio.sleep(3)
            await restart_server(infra.postgres)
            deadline = time.monotonic() + RECOVERY_SECONDS
            took = await ready_within(client, stack, deadline)
            await asyncio.sleep(2)  # a little load on the recovered system
        finally:
            load.running.clear()
            await asyncio.gather(*clients)

        await load.redeliver_refused(deadline)
        await caught_up_by(infra.postgres.url, load, deadline)

    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await assert_exactly_once(conn, load)
    finally:
        await conn.close()
    assert_answers(load)
    assert all(p.poll() is None for p in stack.processes.values())
    assert all(stack.processes[name] is p for name, p in untouched.items()), "only the stopped services restart"
    assert load.paid and load.ran_out and len(load.messages_acked) >= 20
    print(f"ready {took:.1f} s after the last restart; answers: {dict(load.answers)}")
