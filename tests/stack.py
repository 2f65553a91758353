"""Session-wide fixtures: one embedded Postgres and Redis, one OTLP receiver,
and one running system (the six services, the gateway and the console as real
processes on free ports) shared by every test that needs it."""

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import pytest

from devtools.devstack import SERVICES, spawn, stop_children, wait_ready, wait_serving
from devtools.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from services.common.migrate import schemas
from testsupport.fake_graph import FakeGraph
from testsupport.otlp import OtlpReceiver
from testsupport.smtp import SmtpServer

JWT_SECRET = "test-only-jwt-secret-0123456789abcdef-0123456789"
# The fakes of the internet (channel feeds, the Graph API) listen on 127.0.0.1: the services, and
# the clients tests make in this process, may reach them. Refusing them is
# tests/hardening/test_10_ssrf_and_slow_feeds.py's business, which turns this off.
PRIVATE_FETCH = {"ALLOW_PRIVATE_FETCH_ADDRESSES": "true"}
os.environ.update(PRIVATE_FETCH)


def admin_token(secret: str = JWT_SECRET, role: str = "admin", expires_in: int = 600) -> str:
    claims = {"sub": "owner@example.com", "role": role, "exp": int(time.time()) + expires_in}
    return jwt.encode(claims, secret, algorithm="HS256")


MERCADOPAGO_SECRET = "test-only-mercadopago-webhook-secret"
WHATSAPP_SECRET = "test-only-whatsapp-app-secret"
WHATSAPP_VERIFY = "test-only-verify-token"
SERVICE_TOKEN_SECRET = "test-only-service-token-secret"


@dataclass
class Infra:
    """The embedded servers, and a fake of the one internet API the services call."""

    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    mercadopago_url: str
    models: Path  # where the speech service assembles its model, once per session
    graph: FakeGraph  # the WhatsApp Cloud API
    smtp: SmtpServer  # a real SMTP server the services send to: `infra.smtp.messages` is what arrived


@dataclass
class Stack:
    """The running system: its environment, addresses and processes."""

    env: dict[str, str]
    gateway_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: Path | None = None  # a folder with one log file per process, when they are kept
    console_url: str = ""  # when the console runs

    def log(self, name: str) -> Path | None:
        return self.logs / f"{name}.log" if self.logs else None

    def addr(self, name: str) -> str:
        return self.env[f"{name.upper()}_ADDR"]


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    base = tmp_path_factory.mktemp("infra")
    pg = EmbeddedPostgres(base / "postgres", free_port(), durable=False)
    rd = EmbeddedRedis(base / "redis", free_port(), durable=False)
    port = free_port()
    fake_env = dict(os.environ, PORT=str(port), MERCADOPAGO_WEBHOOK_SECRET=MERCADOPAGO_SECRET, LOG_LEVEL="WARNING")
    fake = {"mercadopago": spawn("devtools.sandbox.mercadopago", fake_env)}
    graph = FakeGraph()
    smtp = SmtpServer().start()
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", fake["mercadopago"])
        yield Infra(pg.start(), rd.start(), f"http://127.0.0.1:{port}", base / "models", graph, smtp)
    finally:
        smtp.stop()
        graph.stop()
        stop_children(fake)
        rd.stop()
        pg.stop()


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


def stack_env(infra: Infra, otlp: OtlpReceiver) -> dict[str, str]:
    """Environment for a fresh set of processes on free ports. Each process connects as its own
    database role (`spawn` picks its `<NAME>_DATABASE_URL`); DATABASE_URL is the superuser's, for
    tools. Calls between processes are signed and checked: tests dial services unsigned, which
    development allows."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env |= infra.postgres.create_roles(schemas())
    env |= {f"{name.upper()}_ADDR": f"127.0.0.1:{free_port()}" for name in SERVICES}
    gateway_port = free_port()
    env |= {
        "ENVIRONMENT": "development",  # production refusing to start: tests/hardening/test_01_secure_by_default.py
        "DATABASE_URL": infra.postgres.url,
        "REDIS_URL": infra.redis.url,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(gateway_port),
        "CONSOLE_HOST": "127.0.0.1",
        "CONSOLE_PORT": str(free_port()),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{gateway_port}",
        "MERCADOPAGO_ACCESS_TOKEN": "TEST-0000",
        "MERCADOPAGO_API_BASE": infra.mercadopago_url,
        "MERCADOPAGO_WEBHOOK_SECRET": MERCADOPAGO_SECRET,
        "PAYMENTS_RETRY_BASE_SECONDS": "0.2",
        "PAYMENTS_RECONCILE_INTERVAL_SECONDS": "0.5",
        "ALERT_BATCH_SECONDS": "0.5",  # the team's alerts: one message per half second, not per 30 s
        "MERCADOPAGO_CIRCUIT_RECOVERY_SECONDS": "1",
        "AUDIO_MODEL_CACHE": str(infra.models),
        "AUDIO_MAX_SECONDS": "20",
        "AUDIO_MIN_CONFIDENCE": "0.5",  # the synthetic test voices score 0.38-0.65
        "WHATSAPP_ACCESS_TOKEN": "TEST-whatsapp-token",
        "WHATSAPP_APP_SECRET": WHATSAPP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY,
        "WHATSAPP_PHONE_ID": "106540352242922",
        "WHATSAPP_API_BASE": infra.graph.url,
        "SMTP_HOST": infra.smtp.host,
        "SMTP_PORT": str(infra.smtp.port),
        "SMTP_TLS": "none",
        "SMTP_FROM": "Cabañas del Lago <reservas@cabanas.test>",
        **PRIVATE_FETCH,
        "GRPC_BIND_HOST": "127.0.0.1",
        "GRPC_SHUTDOWN_GRACE_SECONDS": "3",
        "JWT_SECRET": JWT_SECRET,
        "SERVICE_TOKEN_SECRET": SERVICE_TOKEN_SECRET,
        "RATE_LIMIT_REQUESTS": "1000000",  # the suite is one client; tests/test_hardening.py tests the limit
        # One client reusing a few phones; tests/hardening/test_04_spam_and_squatting.py tests the caps.
        "MAX_OPEN_HOLDS_PER_PHONE": "0",
        "MAX_OPEN_HOLDS_PER_CLIENT": "0",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{otlp.port}",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    return env


def start_stack(
    env: dict[str, str], services: tuple[str, ...] = SERVICES, logs: Path | None = None, console: bool = False
) -> Stack:
    """`services`, then the gateway, then (with `console`) the console."""
    stack = Stack(env=env, gateway_url=f"http://127.0.0.1:{env['GATEWAY_PORT']}", logs=logs)
    try:
        for name in services:
            stack.processes[name] = spawn(f"services.{name}", env, stack.log(name))
        for name in services:
            wait_serving(name, stack.addr(name), stack.processes[name])
        stack.processes["gateway"] = spawn("devtools.gateway", env, stack.log("gateway"))
        wait_ready(f"{stack.gateway_url}/api/v1/healthz", stack.processes["gateway"])
        if console:
            _start_console(stack)
    except BaseException:
        stop_children(stack.processes)
        raise
    return stack


def _start_console(stack: Stack) -> None:
    """The console trusts X-Forwarded-For from 127.0.0.1 (the gateway does not): its login throttle
    tests are clients of their own each (tests/test_console.py)."""
    env = stack.env | {"TRUSTED_PROXIES": "127.0.0.1"}
    stack.processes["console"] = spawn("console", env, stack.log("console"))
    stack.console_url = f"http://127.0.0.1:{env['CONSOLE_PORT']}"
    wait_ready(f"{stack.console_url}/healthz", stack.processes["console"])


@pytest.fixture(scope="session")
def stack(infra: Infra, otlp: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The processes' logs go to files (tests read them: tests/test_logs.py); a failing test's
    processes are in `<pytest tmp>/logs0/<name>.log`."""
    running = start_stack(stack_env(infra, otlp), logs=tmp_path_factory.mktemp("logs"), console=True)
    yield running
    stop_children(running.processes)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the embedded servers needs the real stack: `make test-fast` leaves it out."""
    for item in items:
        if "infra" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.stack)
