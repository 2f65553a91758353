"""`make run` from a clean data folder: everything comes up, and Ctrl-C (SIGINT
to the terminal's process group) stops every process it started."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from devtools.devstack import SERVICES
from devtools.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.stack  # it runs `make run`: real servers and processes


def test_make_run_starts_everything_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gateway_port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("OTEL_")}
    env |= {f"{name.upper()}_ADDR": f"127.0.0.1:{free_port()}" for name in SERVICES}
    env |= {
        "CABANAS_DATA_DIR": str(data),
        "EMBEDDED_POSTGRES_PORT": str(free_port()),
        "EMBEDDED_REDIS_PORT": str(free_port()),
        "GATEWAY_PORT": str(gateway_port),
        "GRPC_BIND_HOST": "127.0.0.1",
    }
    log = (tmp_path / "make-run.log").open("wb")
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while "Cabañas is running" not in (tmp_path / "make-run.log").read_text():
            assert make.poll() is None, (tmp_path / "make-run.log").read_text()
            assert time.monotonic() < deadline, "not started in 120 s"
            time.sleep(0.5)
        base = f"http://localhost:{gateway_port}/api/v1"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert (data / "postgres" / "PG_VERSION").exists()

        started = psutil.Process(make.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in started)
        for expected in ("postgres", "redis-server", "gateway", *(f"services.{s}" for s in SERVICES)):
            assert expected in names

        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C does
        make.wait(timeout=60)
        _, alive = psutil.wait_procs(started, timeout=30)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        log.close()
    assert '"msg": "stopping"' in (tmp_path / "make-run.log").read_text()
