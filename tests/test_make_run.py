"""`make run` from a clean data folder: everything comes up (the development owner
signs in to the console), and Ctrl-C (SIGINT to the terminal's process group) stops
every process it started; with a port it needs already taken, it says which and what
to set, and leaves nothing behind."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import grpc
import httpx
import psutil
import pytest

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc
from devtools.devstack import SERVICES
from devtools.embedded import free_port
from tests.test_console import login

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.stack  # it runs `make run`: real servers and processes


def make_run_env(data: Path) -> dict[str, str]:
    """`make run`'s environment with every port free and the data in `data`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("OTEL_")}
    env |= {f"{name.upper()}_ADDR": f"127.0.0.1:{free_port()}" for name in SERVICES}
    return env | {
        "CABANAS_DATA_DIR": str(data),
        "EMBEDDED_POSTGRES_PORT": str(free_port()),
        "EMBEDDED_REDIS_PORT": str(free_port()),
        "GATEWAY_PORT": str(free_port()),
        "CONSOLE_PORT": str(free_port()),
        "GRPC_BIND_HOST": "127.0.0.1",
    }


def start_make_run(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:  # the child keeps its own descriptor
        return subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )


def test_make_run_starts_everything_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = make_run_env(data)
    log = tmp_path / "make-run.log"
    make = start_make_run(env, log)
    try:
        deadline = time.monotonic() + 120
        while "Cabañas is running" not in log.read_text():
            assert make.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "not started in 120 s"
            time.sleep(0.5)
        base = f"http://localhost:{env['GATEWAY_PORT']}/api/v1"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert (data / "postgres" / "PG_VERSION").exists()
        _the_development_owner_logs_in(log.read_text(), env["ACCOUNTS_ADDR"], env["CONSOLE_PORT"])

        started = psutil.Process(make.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in started)
        for expected in ("postgres", "redis-server", "gateway", "console", *(f"services.{s}" for s in SERVICES)):
            assert expected in names

        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C does
        make.wait(timeout=60)
        _, alive = psutil.wait_procs(started, timeout=30)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    assert '"msg": "stopping"' in log.read_text()


def _the_development_owner_logs_in(banner: str, accounts_addr: str, console_port: str) -> None:
    """The banner names the console, owner@localhost and its generated password, and they open a
    session, over gRPC and through the console's login form."""
    found = re.search(r"owner\s+(\S+)\s+password (\S+)", banner)
    assert found, banner
    email, password = found.groups()
    assert email == "owner@localhost"
    with grpc.insecure_channel(accounts_addr) as channel:
        session = accounts_pb2_grpc.AccountsServiceStub(channel).Login(
            accounts_pb2.LoginRequest(email=email, password=password), timeout=10
        )
    assert session.user.role == accounts_pb2.ROLE_OWNER
    console = re.search(r"console\s+(\S+)", banner)
    assert console and console.group(1) == f"http://localhost:{console_port}", banner
    with httpx.Client(base_url=console.group(1), timeout=10) as client:
        signed_in = login(client, email, password)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/hoy", signed_in.text
        assert client.get("/hoy").status_code == 200


@pytest.mark.parametrize("variable", ["EMBEDDED_POSTGRES_PORT", "EMBEDDED_REDIS_PORT", "CONSOLE_PORT"])
def test_a_taken_port_is_named_and_nothing_is_left_behind(tmp_path: Path, variable: str) -> None:
    """A second `make run`, or a leftover, holds the port: a listener that never answers stands in for it."""
    env = make_run_env(tmp_path / "data")
    log = tmp_path / "make-run.log"
    started: dict[int, psutil.Process] = {}  # every process `make run` started, seen while it ran
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env[variable])))
        taken.listen()
        make = start_make_run(env, log)
        try:
            deadline = time.monotonic() + 60
            while make.poll() is None:
                assert time.monotonic() < deadline, f"still running after 60 s: {log.read_text()}"
                with contextlib.suppress(psutil.NoSuchProcess):  # make just exited
                    started |= {p.pid: p for p in psutil.Process(make.pid).children(recursive=True)}
                time.sleep(0.05)
            out = log.read_text()
            assert make.returncode != 0, out
            assert f"port {env[variable]} ({variable})" in out, out
            assert f"set {variable} to a free port" in out, out
            _, alive = psutil.wait_procs(list(started.values()), timeout=10)
            assert not alive, [p.cmdline() for p in alive]
        finally:  # whatever failed, leave no server running
            for proc in started.values():
                if proc.is_running():
                    proc.kill()
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
