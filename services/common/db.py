"""Postgres: an asyncpg pool bound to one service's schema, and the migration runner.

Migrations are numbered SQL files (`0001_init.sql`, ...) in the service's
`migrations/` folder. Each applies in its own transaction and is recorded with
its checksum in `<schema>.schema_migrations`; an edited, already applied file is
an error. A Postgres advisory lock per schema makes replicas that start together
apply each file once. (yoyo-migrations was considered: it needs a second,
synchronous driver and locks with a table; this is asyncpg end to end.)

Least privilege (docs/operations.md): each process connects as its own role,
`cabanas_<name>`; a service's role owns its schema and nothing else (no
CREATE on the database, no access to another schema), the gateway's may only
connect. The migration role, `cabanas_migrate`, may act as each of them: it
applies a schema's migrations as the schema's owner, so what it creates
belongs to the service. `roles_sql()` is the one description of these roles.
"""

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeAlias, cast

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


MIGRATION_ROLE = "cabanas_migrate"
# Processes that use Postgres but own no schema: they may connect, nothing more.
CONNECT_ONLY = ("gateway",)


def role_of(process: str) -> str:
    """The Postgres role process `process` (a service's name, or "gateway") connects as."""
    return f"cabanas_{_check_schema(process)}"


def _create_role(role: str) -> str:
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}')"
        f" THEN CREATE ROLE {role} LOGIN; END IF; END $$"
    )


def _hand_over(schema: str, role: str) -> str:
    """Tables, views and free-standing sequences of `schema` made `role`'s (a schema created
    before the roles existed); a table's own sequences follow it."""
    return (
        "DO $$ DECLARE o record; BEGIN FOR o IN SELECT c.relname FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE n.nspname = '{schema}' AND c.relkind IN ('r', 'p', 'v', 'S')"
        f" AND pg_get_userbyid(c.relowner) <> '{role}'"
        " AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')"
        " AND d.classid = 'pg_class'::regclass AND c.relkind = 'S')"
        f" LOOP EXECUTE format('ALTER TABLE %I.%I OWNER TO {role}', '{schema}', o.relname); END LOOP; END $$"
    )


def roles_sql(database: str, schemas: Sequence[str], extensions: Sequence[str] = ("btree_gist",)) -> list[str]:
    """Statements that set up (or repair) the roles of `database`, run once by its owner or a
    superuser; idempotent. Passwords are not set here: `ALTER ROLE ... PASSWORD` apart."""
    database = _check_schema(database)
    owners = {schema: role_of(schema) for schema in schemas}
    roles = [MIGRATION_ROLE, *owners.values(), *(role_of(name) for name in CONNECT_ONLY)]
    statements = [_create_role(role) for role in roles]
    statements += [
        # Nobody creates schemas or temporary tables; each role only connects, then uses what it owns.
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {', '.join(roles)}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        # Extensions need more than a service has: made here, so a migration's CREATE EXTENSION IF NOT EXISTS passes.
        *(f"CREATE EXTENSION IF NOT EXISTS {_check_schema(name)} WITH SCHEMA public" for name in extensions),
    ]
    for schema, role in owners.items():
        statements += [
            f"CREATE SCHEMA IF NOT EXISTS {_check_schema(schema)} AUTHORIZATION {role}",
            f"ALTER SCHEMA {schema} OWNER TO {role}",
            _hand_over(schema, role),
            f"GRANT {role} TO {MIGRATION_ROLE}",
        ]
    return statements


def _check_schema(schema: str) -> str:
    if not _IDENTIFIER.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return schema


async def json_codecs(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class PooledConnection(asyncpg.Connection):
    """A pool's connection that knows whether it was given session state to undo on release."""

    __slots__ = ("_session_state",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session_state = False

    def keep_session_state(self) -> None:
        self._session_state = True

    async def undo_session_state(self) -> None:
        """asyncpg's full reset (RESET ALL, unlock advisory locks, close cursors, UNLISTEN) is one
        more round trip of four statements on every release of every request: only when marked."""
        if self._session_state:
            self._session_state = False
            await self.execute(self.get_reset_query())


def keeps_session_state(conn: Conn) -> None:
    """Say that `conn` is about to hold session state (SET, a session advisory lock): its pool
    then undoes it on release, should the code that set it not get to. A no-op off a pool."""
    mark = getattr(conn, "keep_session_state", None)
    if mark is not None:
        mark()


async def _reset(conn: "asyncpg.Connection[asyncpg.Record]") -> None:
    """On release, after asyncpg has rolled back a transaction left open."""
    await cast(PooledConnection, conn).undo_session_state()  # the pool's connection_class


async def create_pool(dsn: str, schema: str, *, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections resolve unqualified names in `schema` (then public,
    where extensions such as btree_gist live) and read/write JSON as Python values."""
    return await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=max_size,
        command_timeout=30,
        init=json_codecs,
        connection_class=PooledConnection,
        reset=_reset,
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
    """Apply the pending migrations in `directory` to `schema`, as the schema's owner (the
    service's role, when the migration role runs this); create the schema if there is none
    (a database without roles: development, tests). Return the versions applied."""
    schema = _check_schema(schema)
    migrations = _load(directory)
    keeps_session_state(conn)  # the lock, the role and the search path below, if the finally cannot run
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"cabanas.migrate.{schema}")
    try:
        owner = await conn.fetchval("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", schema)
        if owner is None:
            await conn.execute(f"CREATE SCHEMA {schema}")
        elif owner != await conn.fetchval("SELECT current_user"):
            await conn.execute(f"SET ROLE {_check_schema(owner)}")  # refused unless we may act as the owner
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
        await conn.execute("RESET search_path; RESET ROLE")
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"cabanas.migrate.{schema}")
