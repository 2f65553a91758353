"""`make run`: the whole system on one machine.

Runs in development (ENVIRONMENT=development unless the environment names
another). Starts the embedded Postgres and Redis under `.data/` (unless DATABASE_URL /
REDIS_URL point elsewhere), with production's database roles: each process
connects as its own, the migrations run as the migration role first. Then the
six services, the gateway and the console (CONSOLE_PORT, 8001), their calls signed
with a development SERVICE_TOKEN_SECRET kept with the data (unless one is set);
creates the development owner (CONSOLE_OWNER_EMAIL / CONSOLE_OWNER_PASSWORD /
CONSOLE_OWNER_PHONE; unset: owner@localhost with a generated password kept with
the data); waits until everything is ready, prints where it is, and on Ctrl-C (or SIGTERM) stops the
gateway and the console, then the services, then Redis and Postgres, leaving no process behind.
If any child dies, everything is stopped and the exit code is 1. A port it
needs that is already taken (another `make run`, or one left running) is
named, with the setting that moves it, before anything starts.
"""

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from devtools.embedded import EmbeddedPostgres, EmbeddedRedis, port_in_use
from services.common.logs import setup_logging
from services.common.migrate import schemas
from services.common.settings import DEFAULT_ADDRS, Settings, get_settings

log = logging.getLogger("devstack")

SERVICES = tuple(DEFAULT_ADDRS)
WEB = ("gateway", "console")  # the HTTP processes: started after the services, stopped before them
START_TIMEOUT = 120.0
# The embedded servers' ports, and the variables that move them.
EMBEDDED_PORTS = {"EMBEDDED_POSTGRES_PORT": 55432, "EMBEDDED_REDIS_PORT": 56379}


class _Stop(Exception):
    """Ctrl-C or SIGTERM."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def own_env(module: str, env: dict[str, str]) -> dict[str, str]:
    """`env` for `python -m module`, with the process's own DATABASE_URL when `env` names one:
    `<NAME>_DATABASE_URL`, NAME the service of services.<name>[.tool], else the module's last part
    (devtools.gateway, gateway)."""
    parts = module.split(".")
    name = parts[1] if parts[0] == "services" and len(parts) > 1 else parts[-1]
    own = env.get(f"{name.upper()}_DATABASE_URL")
    return env if own is None else env | {"DATABASE_URL": own}


def spawn(module: str, env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    """Start `python -m module` with `own_env(module, env)`; its log lines (stderr) go to `log` when given."""
    command, env = [sys.executable, "-m", module], own_env(module, env)
    if log is None:
        return subprocess.Popen(command, env=env)
    with log.open("ab") as sink:  # the child keeps its own descriptor
        return subprocess.Popen(command, env=env, stderr=sink)


def run_tool(module: str, *args: str, env: dict[str, str], stdin: str | None = None) -> str:
    """Run `python -m module args` to the end, with `own_env` and `stdin`; its output (its log goes to ours)."""
    command = [sys.executable, "-m", module, *args]
    done = subprocess.run(command, env=own_env(module, env), check=True, stdout=subprocess.PIPE, text=True, input=stdin)
    return done.stdout


def wait_serving(name: str, addr: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with grpc.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}")
            try:
                # types-grpcio-health-checking declares HealthStub without its methods.
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)  # type: ignore[attr-defined]
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    raise TimeoutError(f"{name} not SERVING after {START_TIMEOUT:.0f} s")


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: its process exited with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {START_TIMEOUT:.0f} s")


def embedded_port(variable: str) -> int:
    return int(os.environ.get(variable, EMBEDDED_PORTS[variable]))


def ports_needed(settings: Settings) -> dict[str, int]:
    """Every port `make run` listens on, by the variable that sets it."""
    ports = {"GATEWAY_PORT": settings.gateway_port, "CONSOLE_PORT": settings.console_port}
    ports |= {f"{name.upper()}_ADDR": int(settings.service_addr(name).rsplit(":", 1)[1]) for name in SERVICES}
    if "DATABASE_URL" not in os.environ:
        ports["EMBEDDED_POSTGRES_PORT"] = embedded_port("EMBEDDED_POSTGRES_PORT")
    if "REDIS_URL" not in os.environ:
        ports["EMBEDDED_REDIS_PORT"] = embedded_port("EMBEDDED_REDIS_PORT")
    return ports


def check_ports(settings: Settings) -> None:
    taken = {variable: port for variable, port in ports_needed(settings).items() if port_in_use(port)}
    if taken:
        ports = ", ".join(f"port {port} ({variable})" for variable, port in taken.items())
        free = "a free port" if len(taken) == 1 else "free ports"
        raise RuntimeError(
            f"already in use: {ports}. Another `make run`, or one left running?"
            f" Stop it, or set {', '.join(taken)} to {free}."
        )


def main() -> int:
    os.environ.setdefault("ENVIRONMENT", "development")  # unless told otherwise; the children inherit it
    settings = get_settings()
    for name in (*SERVICES, *WEB):  # a refusal before anything starts
        settings.check_startup(name)
    setup_logging("devstack", settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # readiness polling is noise
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    data = Path(os.environ.get("CABANAS_DATA_DIR", ".data"))
    env = dict(os.environ)
    for variable in ("JWT_SECRET", "SERVICE_TOKEN_SECRET", "CONSOLE_SECRET"):
        if variable not in env and settings.development:
            env[variable] = _dev_secret(data / variable.lower())
    infra: list[EmbeddedPostgres | EmbeddedRedis] = []
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        check_ports(settings)
        if "DATABASE_URL" not in os.environ:
            pg = EmbeddedPostgres(data / "postgres", embedded_port("EMBEDDED_POSTGRES_PORT"))
            infra.append(pg)  # before start(): a Ctrl-C while starting still stops it
            env["DATABASE_URL"] = pg.start().url
            owned = schemas()
            env |= pg.create_roles(owned)
            run_tool("services.common.migrate", *owned, env=env)  # as the migration role, like a Job
        if "REDIS_URL" not in os.environ:
            rd = EmbeddedRedis(data / "redis", embedded_port("EMBEDDED_REDIS_PORT"))
            infra.append(rd)
            env["REDIS_URL"] = rd.start().url
        for name in SERVICES:
            children[name] = spawn(f"services.{name}", env)
        for name in SERVICES:
            wait_serving(name, settings.service_addr(name), children[name])
        print(run_tool("services.booking.cli", "seed-demo", env=env), end="", flush=True)
        owner = dev_owner(settings, data)
        create_owner(owner, env)
        children["gateway"] = spawn("devtools.gateway", env)
        base = f"http://localhost:{settings.gateway_port}"
        wait_ready(f"{base}/api/v1/readyz", children["gateway"])
        children["console"] = spawn("console", env)
        console = f"http://localhost:{settings.console_port}"
        wait_ready(f"{console}/healthz", children["console"])
        token = run_tool("services.booking.cli", "admin-token", "--sub", "dev", env=env).strip()
        _print_banner(base, console, env, settings.service_addr, token, owner)
        while True:
            for name, proc in children.items():
                if proc.poll() is not None:
                    log.error("%s exited with code %s; stopping everything", name, proc.returncode)
                    return 1
            time.sleep(0.5)
    except _Stop:
        log.info("stopping")
        return 0
    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
        log.error("could not start: %s", exc)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the cleanup short
            signal.signal(sig, signal.SIG_IGN)
        stop_children(children)
        for server in reversed(infra):
            server.stop()


def _dev_secret(path: Path) -> str:
    """A development secret kept with the data, so admin tokens (and the console's forms) survive restarts."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


DEV_OWNER_EMAIL = "owner@localhost"


@dataclass(frozen=True)
class Owner:
    email: str
    password: str
    phone: str


def dev_owner(settings: Settings, data: Path) -> Owner:
    """The development owner: CONSOLE_OWNER_*, else owner@localhost with a password kept with the data."""
    given = settings.console_owner_password
    password = given.get_secret_value() if given else _dev_secret(data / "console_owner_password")
    return Owner(settings.console_owner_email or DEV_OWNER_EMAIL, password, settings.console_owner_phone)


def create_owner(owner: Owner, env: dict[str, str]) -> None:
    """Make `owner` an active owner with that password, whether it existed or not (the CLI, --reset)."""
    args = ["create-owner", "--email", owner.email, "--name", "Dueña", "--phone", owner.phone, "--force", "--reset"]
    run_tool("services.accounts.cli", *args, env=env, stdin=owner.password + "\n")


def stop_children(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM the gateway and the console first, then the rest, each given time to drain."""
    for group in (list(WEB), [n for n in children if n not in WEB]):
        procs = [children[n] for n in group if n in children and children[n].poll() is None]
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _print_banner(
    base: str, console: str, env: dict[str, str], addr: Callable[[str], str], admin_token: str, owner: Owner
) -> None:
    lines = [
        "",
        "Cabañas is running. Ctrl-C stops everything.",
        f"  API docs     {base}/docs",
        f"  health       {base}/api/v1/healthz   readiness {base}/api/v1/readyz",
        f"  metrics      {base}/metrics",
        f"  Postgres     {env['DATABASE_URL']}",
        f"  Redis        {env['REDIS_URL']}",
        f"  admin token  {admin_token}",
        "               (12 h; more with: python -m services.booking.cli admin-token)",
        f"  console      {console}",
        f"  owner        {owner.email}   password {owner.password}",
        *(f"  {name:<12} grpc://{addr(name)}" for name in SERVICES),
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
