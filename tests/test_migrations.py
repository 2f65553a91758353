"""The migration runner: ordered, once, checked, and safe with replicas racing."""

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from services.common.db import MigrationError, migrate
from tests.stack import Infra


def _schema() -> str:
    return f"m_{uuid.uuid4().hex[:10]}"


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


async def test_applies_in_order_once(infra: Infra, tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "migrations",
        {
            "0002_rows.sql": "INSERT INTO things (name) VALUES ('second');",
            "0001_table.sql": "CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL);",
            "README.md": "not a migration",
        },
    )
    schema = _schema()
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        assert await migrate(conn, schema, directory) == ["0001_table", "0002_rows"]
        assert await migrate(conn, schema, directory) == []
        assert await conn.fetchval(f"SELECT count(*) FROM {schema}.things") == 1
        _write(directory, {"0003_more.sql": "INSERT INTO things (name) VALUES ('third');"})
        assert await migrate(conn, schema, directory) == ["0003_more"]
    finally:
        await conn.close()


async def test_edited_migration_is_refused(infra: Infra, tmp_path: Path) -> None:
    directory = _write(tmp_path / "migrations", {"0001_table.sql": "CREATE TABLE t (id int);"})
    schema = _schema()
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        await migrate(conn, schema, directory)
        _write(directory, {"0001_table.sql": "CREATE TABLE t (id bigint);"})
        with pytest.raises(MigrationError, match="0001_table changed"):
            await migrate(conn, schema, directory)
    finally:
        await conn.close()


async def test_failed_migration_leaves_nothing(infra: Infra, tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "migrations",
        {"0001_ok.sql": "CREATE TABLE a (id int);", "0002_bad.sql": "CREATE TABLE b (id int); SELECT 1/0;"},
    )
    schema = _schema()
    conn = await asyncpg.connect(infra.postgres.url)
    try:
        with pytest.raises(asyncpg.DivisionByZeroError):
            await migrate(conn, schema, directory)
        versions = await conn.fetch(f"SELECT version FROM {schema}.schema_migrations")
        assert [r["version"] for r in versions] == ["0001_ok"]
        assert await conn.fetchval("SELECT to_regclass($1)", f"{schema}.b") is None
    finally:
        await conn.close()


async def test_replicas_starting_together_apply_each_file_once(infra: Infra, tmp_path: Path) -> None:
    # Not idempotent on purpose: applied twice, these files would fail or double the rows.
    directory = _write(
        tmp_path / "migrations",
        {
            "0001_table.sql": "CREATE TABLE runs (n int); SELECT pg_sleep(0.2);",
            "0002_row.sql": "INSERT INTO runs VALUES (1);",
        },
    )
    schema = _schema()
    conns = [await asyncpg.connect(infra.postgres.url) for _ in range(6)]
    try:
        results = await asyncio.gather(*(migrate(c, schema, directory) for c in conns))
        assert sorted(results, key=len, reverse=True) == [["0001_table", "0002_row"]] + [[]] * 5
        assert await conns[0].fetchval(f"SELECT count(*) FROM {schema}.runs") == 1
    finally:
        for c in conns:
            await c.close()


async def test_rejects_unsafe_schema_names() -> None:
    with pytest.raises(ValueError, match="invalid schema"):
        await migrate(None, "x; DROP TABLE y", None)  # type: ignore[arg-type]
