"""Postgres: an asyncpg pool bound to one service's schema, and the migration runner.

Migrations are numbered SQL files (`0001_init.sql`, ...) in the service's
`migrations/` folder. Each applies in its own transaction and is recorded with
its checksum in `<schema>.schema_migrations`; an edited, already applied file is
an error. A Postgres advisory lock per schema makes replicas that start together
apply each file once. (yoyo-migrations was considered: it needs a second,
synchronous driver and locks with a table; this is asyncpg end to end.)
"""

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class MigrationError(RuntimeError):
    """A migration cannot be applied, or an applied one was edited."""


# What store functions take: a connection from the pool, or one opened on its own (tests, tools).
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


async def fetch_one(conn: Conn, sql: str, *args: object) -> asyncpg.Record:
    """The row a statement must return (a write with RETURNING); none is the caller's bug, not a result."""
    row = await conn.fetchrow(sql, *args)
    if row is None:
        raise LookupError("the statement matched no row")
    return row


# The database restarting ("shutting down", "starting up", admin shutdown) or out of reach: worth waiting for.
DATABASE_DOWN = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.OperatorInterventionError)


async def record_outcome(pool: asyncpg.Pool, write: Callable[..., Awaitable[Any]], *args: Any, within: float) -> None:
    """Write the outcome of leased work (`write(conn, *args)`), retrying every second while the
    database is down, for up to `within` seconds. Given up on at once, the work would sit out
    the rest of its lease before anyone retried it, or be done twice (a reply sent again)."""
    give_up = time.monotonic() + within
    while True:
        try:
            async with pool.acquire() as conn:
                await write(conn, *args)
            return
        except DATABASE_DOWN:
            if time.monotonic() > give_up:
                raise
            await asyncio.sleep(1)


def _check_schema(schema: str) -> str:
    if not _IDENTIFIER.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return schema


async def json_codecs(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(dsn: str, schema: str, *, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections resolve unqualified names in `schema` (then public,
    where extensions such as btree_gist live) and read/write JSON as Python values."""
    return await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=max_size,
        command_timeout=30,
        init=json_codecs,
        server_settings={"search_path": f"{_check_schema(schema)}, public", "application_name": schema},
    )


def _load(directory: Path | None) -> list[tuple[str, str, str]]:
    """(version, sql, checksum) of each migration file, in order. Small files, read once at start."""
    files = sorted(directory.glob("[0-9]*.sql")) if directory and directory.is_dir() else []
    out = []
    for path in files:
        sql = path.read_text(encoding="utf-8")
        out.append((path.stem, sql, hashlib.sha256(sql.encode()).hexdigest()))
    return out


async def migrate(conn: Conn, schema: str, directory: Path | None) -> list[str]:
    """Create `schema` and apply the pending migrations in `directory`; return their versions."""
    schema = _check_schema(schema)
    migrations = _load(directory)
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"cabanas.migrate.{schema}")
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(f"SET search_path TO {schema}, public")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        applied = {
            r["version"]: r["checksum"] for r in await conn.fetch("SELECT version, checksum FROM schema_migrations")
        }
        done = []
        for version, sql, checksum in migrations:
            if version in applied:
                if applied[version] != checksum:
                    raise MigrationError(f"{schema}: migration {version} changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)", version, checksum
                )
            log.info("migration applied", extra={"schema": schema, "version": version})
            done.append(version)
        return done
    finally:
        await conn.execute("RESET search_path")
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"cabanas.migrate.{schema}")
