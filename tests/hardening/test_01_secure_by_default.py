"""1. Insecure unless `ENVIRONMENT` is exactly `production`.

Secure by default: without ENVIRONMENT a process is in production, only the exact value
`development` turns on development behaviour, any other value refuses to start naming the
variable; in production every process refuses to start without the secrets it uses, naming
them in one line (exit status 1, no traceback). The Mercado Pago sandbox exists only in
development, answers only loopback clients and is rate-limited like any route.

Processes are started as `python -m ...` with a minimal environment: nothing of the
developer's, free ports, Postgres and Redis on ports where nothing listens."""

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from devtools import gateway as dev_gateway
from devtools.devstack import stop_children, wait_ready
from devtools.embedded import free_port
from services.common.settings import DEFAULT_ADDRS, PRODUCTION_SECRETS, Settings
from tests.stack import Infra
from tests.test_k8s import K8S, app, of_kind, render

ROOT = Path(__file__).resolve().parents[2]
SERVICES = tuple(DEFAULT_ADDRS)
MODULES = {name: f"services.{name}" for name in SERVICES} | {"gateway": "gateway", "console": "console"}
EXIT_SECONDS = 30  # a refusal comes before any connection: about a second, more on a busy machine

# What each process uses, from the code (the list): the one thing this file does not derive.
NEEDS = {
    "gateway": (
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "MERCADOPAGO_WEBHOOK_SECRET",
        "JWT_SECRET",
        "SERVICE_TOKEN_SECRET",
    ),
    "booking": ("SERVICE_TOKEN_SECRET",),
    "messaging": ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_ID", "SERVICE_TOKEN_SECRET"),
    "payments": ("MERCADOPAGO_ACCESS_TOKEN", "SERVICE_TOKEN_SECRET"),
    "speech": ("SERVICE_TOKEN_SECRET",),
    "calendar": ("ICS_SALT", "SERVICE_TOKEN_SECRET"),
    "accounts": ("SERVICE_TOKEN_SECRET",),
    "console": ("SERVICE_TOKEN_SECRET", "CONSOLE_SECRET"),
}
SECRETS = {key: f"test-only-{key.lower()}" for keys in NEEDS.values() for key in keys}
SANDBOX = "/sandbox/mercadopago"


def minimal_env(**extra: str) -> dict[str, str]:
    """No ENVIRONMENT, no secrets; every port free; dependencies where nothing answers."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    env |= {f"{name.upper()}_ADDR": f"127.0.0.1:{free_port()}" for name in SERVICES}
    env |= {"GRPC_BIND_HOST": "127.0.0.1", "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(free_port())}
    env |= {"CONSOLE_HOST": "127.0.0.1", "CONSOLE_PORT": str(free_port())}
    env |= {"DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none"}
    env |= {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "GRPC_SHUTDOWN_GRACE_SECONDS": "1"}
    return env | extra


def settings_of(environment: str, **env: str) -> Settings:
    """Settings from `environment` and `env` alone, not from this process's environment."""
    return Settings.model_validate({"environment": environment} | {k.lower(): v for k, v in env.items()})


def outcome(module: str, env: dict[str, str]) -> tuple[int | None, list[str]]:
    """Exit status and stderr lines of `python -m module`; None if it still ran after EXIT_SECONDS."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", module], env=env, capture_output=True, text=True, timeout=EXIT_SECONDS, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return None, [f"still running after {EXIT_SECONDS} s: it started"]
    return done.returncode, done.stderr.strip().splitlines()


def outcomes(envs: dict[str, dict[str, str]]) -> dict[str, tuple[int | None, list[str]]]:
    """`outcome` of each process (by name: MODULES) at once."""
    with ThreadPoolExecutor(len(envs)) as pool:
        futures = {name: pool.submit(outcome, MODULES[name], env) for name, env in envs.items()}
        return {name: future.result() for name, future in futures.items()}


def test_each_process_refuses_production_without_the_secrets_it_uses() -> None:
    needy = [name for name, keys in NEEDS.items() if keys]
    got = outcomes({name: minimal_env() for name in needy})
    expected = {
        name: (1, [f"{name}: refusing to start in production without {', '.join(NEEDS[name])}"]) for name in needy
    }
    assert got == expected


def test_an_environment_other_than_production_or_development_refuses_to_start() -> None:
    """Every process, with every secret set: `prod` is neither, so nothing starts (it used to mean development)."""
    got = outcomes({name: minimal_env(ENVIRONMENT="prod", **SECRETS) for name in MODULES})
    line = "ENVIRONMENT='prod' is not accepted: use production or development (unset means production)"
    assert got == {name: (1, [f"{name}: {line}"]) for name in MODULES}


@pytest.mark.parametrize("value", ["prod", "Production", "PRODUCTION", "dev", "Development", " development", ""])
def test_only_the_exact_values_are_accepted(value: str) -> None:
    problem = settings_of(value, **SECRETS).startup_problem("booking")
    assert problem is not None and problem.startswith(f"ENVIRONMENT={value!r} is not accepted")


def test_unset_is_production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENVIRONMENT", "ICS_SALT", "MERCADOPAGO_ACCESS_TOKEN", "SERVICE_TOKEN_SECRET"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.production and not settings.development and not settings.mercadopago_sandbox
    assert (
        settings.startup_problem("calendar") == "refusing to start in production without ICS_SALT, SERVICE_TOKEN_SECRET"
    )


def test_an_empty_secret_is_missing() -> None:
    settings = settings_of("production", **SECRETS | {"ICS_SALT": ""})
    assert settings.startup_problem("calendar") == "refusing to start in production without ICS_SALT"


def test_development_needs_no_secret() -> None:
    assert all(settings_of("development").startup_problem(name) is None for name in MODULES)


def test_the_table_is_what_each_process_uses() -> None:
    assert {name: tuple(key.upper() for key in keys) for name, keys in PRODUCTION_SECRETS.items()} == NEEDS


def _liveness(addr: str, proc: subprocess.Popen[bytes]) -> None:
    """SERVING on "liveness": the server is up (readiness waits for Postgres, which is not there)."""
    deadline = time.monotonic() + EXIT_SECONDS
    with grpc.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"exited with {proc.returncode}"
            try:
                # types-grpcio-health-checking declares HealthStub without its methods.
                reply = stub.Check(health_pb2.HealthCheckRequest(service="liveness"), timeout=1)  # type: ignore[attr-defined]
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    raise TimeoutError(f"{addr} not live after {EXIT_SECONDS} s")


@contextmanager
def running(module: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-m", module], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        stop_children({module: proc})


@pytest.mark.parametrize("name", ["booking", "payments", "messaging", "calendar", "accounts"])
def test_a_service_starts_in_production_with_its_secrets(name: str) -> None:
    env = minimal_env(**{key: SECRETS[key] for key in NEEDS[name]})
    with running(MODULES[name], env) as proc:
        _liveness(env[f"{name.upper()}_ADDR"], proc)


def _gateway_url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env['GATEWAY_PORT']}"


def test_the_gateway_starts_in_production_with_its_secrets_and_checks_every_signature() -> None:
    env = minimal_env(**{key: SECRETS[key] for key in NEEDS["gateway"]})
    url = _gateway_url(env)
    with running("gateway", env) as proc:
        wait_ready(f"{url}/api/v1/healthz", proc)
        assert "strict-transport-security" in httpx.get(f"{url}/api/v1/healthz").headers  # production's
        unsigned = httpx.post(f"{url}/api/v1/webhooks/whatsapp", json={"from": "5491155550000", "text": "cancelar"})
        assert unsigned.status_code == 403


def test_the_console_starts_in_production_with_its_secrets() -> None:
    env = minimal_env(**{key: SECRETS[key] for key in NEEDS["console"]})
    url = f"http://127.0.0.1:{env['CONSOLE_PORT']}"
    with running("console", env) as proc:
        wait_ready(f"{url}/healthz", proc)
        assert "strict-transport-security" in httpx.get(f"{url}/healthz").headers  # production's


def test_the_development_gateway_has_no_sandbox_in_production() -> None:
    """`python -m devtools.gateway` without ENVIRONMENT or a Mercado Pago token: production, no sandbox."""
    env = minimal_env(**{key: SECRETS[key] for key in NEEDS["gateway"]})
    url = _gateway_url(env)
    with running("devtools.gateway", env) as proc:
        wait_ready(f"{url}/api/v1/healthz", proc)
        assert httpx.get(f"{url}{SANDBOX}/healthz").status_code == 404
        assert httpx.get(f"{url}{SANDBOX}/_control/preferences").status_code == 404
        free = {"status": "approved", "amount": 1, "external_reference": "AB12"}
        assert httpx.post(f"{url}{SANDBOX}/_control/payments", json=free).status_code == 404


async def _sandbox_replies(client: tuple[str, int], headers: dict[str, str] | None = None) -> list[int]:
    """Status codes the development gateway's sandbox gives `client` (in process: no traffic leaves)."""
    app = dev_gateway.create_app(settings_of("development", **minimal_env()))
    async with app.router.lifespan_context(app):  # Redis is down: the rate limit lets requests through
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://cabanas.test", headers=headers) as http:
            return [
                (await http.get(f"{SANDBOX}/healthz")).status_code,
                (await http.get(f"{SANDBOX}/_control/preferences")).status_code,
                (await http.post(f"{SANDBOX}/_control/state", json={"down": False})).status_code,
            ]


async def test_the_sandbox_refuses_a_client_on_another_machine() -> None:
    assert await _sandbox_replies(("203.0.113.7", 50000)) == [403, 403, 403]
    assert await _sandbox_replies(("10.1.2.3", 50000), {"X-Forwarded-For": "127.0.0.1"}) == [403, 403, 403]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
async def test_the_sandbox_answers_a_loopback_client(host: str) -> None:
    assert await _sandbox_replies((host, 50000)) == [200, 200, 200]


def test_the_sandbox_is_rate_limited_like_any_route(infra: Infra) -> None:
    env = minimal_env(ENVIRONMENT="development", REDIS_URL=infra.redis.url, RATE_LIMIT_REQUESTS="2")
    url = _gateway_url(env)
    with running("devtools.gateway", env) as proc:
        wait_ready(f"{url}/api/v1/healthz", proc)
        codes = [httpx.get(f"{url}{SANDBOX}/_control/preferences").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def _secret_refs(container: dict[str, object]) -> set[str]:
    env = container.get("env", [])
    assert isinstance(env, list)
    return {e["valueFrom"]["secretKeyRef"]["key"] for e in env if "secretKeyRef" in e.get("valueFrom", {})}


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_each_deployment_gets_exactly_the_secrets_its_process_uses(overlay: str) -> None:
    production_keys = set(SECRETS)
    got = {
        w["metadata"]["name"]: _secret_refs(app(w)) & production_keys
        for w in of_kind(render(overlay), "Deployment")
        if w["metadata"]["name"] in NEEDS
    }
    assert got == {name: set(keys) for name, keys in NEEDS.items()}


def test_the_k8s_secrets_table_names_who_uses_each_key() -> None:
    rows = [line.split("|") for line in (K8S / "README.md").read_text().splitlines() if line.startswith("| `")]
    used_by = {cells[1].strip().strip("`"): {p.strip() for p in cells[2].split(",")} for cells in rows}
    assert {key: used_by[key] for key in SECRETS} == {
        key: {name for name, keys in NEEDS.items() if key in keys} for key in SECRETS
    }
