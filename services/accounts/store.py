"""Accounts' SQL (schema `accounts`): users, sessions, API tokens, login attempts."""

from datetime import timedelta
from typing import Any

import asyncpg

from services.common.db import Conn, fetch_one

USER_COLUMNS = ("email", "name", "phone", "role", "active", "notifications", "password_hash")
# What a user row shows: never the hash.
_USER = "id, email, name, phone, role, active, notifications, created_at, updated_at, last_login_at"


# Users --------------------------------------------------------------------------


async def insert_user(conn: Conn, fields: dict[str, Any]) -> asyncpg.Record:
    columns = [c for c in USER_COLUMNS if c in fields]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return await fetch_one(
        conn,
        f"INSERT INTO users ({', '.join(columns)}) VALUES ({placeholders}) RETURNING {_USER}",
        *(fields[c] for c in columns),
    )


async def get_user(conn: Conn, id: int, *, for_update: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_USER} FROM users WHERE id = $1" + (" FOR UPDATE" if for_update else ""), id)


async def user_with_hash(conn: Conn, *, email: str = "", id: int = 0) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_USER}, password_hash FROM users WHERE email = $1 OR id = $2", email, id)


async def list_users(conn: Conn, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
    rows = await conn.fetch(
        f"SELECT {_USER}, count(*) OVER () AS total FROM users ORDER BY id LIMIT $1 OFFSET $2", limit, offset
    )
    total = rows[0]["total"] if rows else await conn.fetchval("SELECT count(*) FROM users")
    return rows, total


async def update_user(conn: Conn, id: int, fields: dict[str, Any]) -> asyncpg.Record | None:
    columns = [c for c in USER_COLUMNS if c in fields]
    if not columns:
        return await get_user(conn, id)
    assignments = ", ".join(f"{c} = ${i}" for i, c in enumerate(columns, start=2))
    return await conn.fetchrow(
        f"UPDATE users SET {assignments}, updated_at = now() WHERE id = $1 RETURNING {_USER}",
        id,
        *(fields[c] for c in columns),
    )


async def lock_owners(conn: Conn) -> list[int]:
    """The active owners' ids, locked until the transaction ends: changes that could leave none serialise."""
    rows = await conn.fetch("SELECT id FROM users WHERE role = 'owner' AND active ORDER BY id FOR UPDATE")
    return [row["id"] for row in rows]


async def count_active_owners(conn: Conn) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM users WHERE role = 'owner' AND active"))


async def logged_in(conn: Conn, id: int, new_hash: str | None) -> asyncpg.Record:
    """Mark the login (and store a hash redone with today's parameters, when there is one)."""
    return await fetch_one(
        conn,
        "UPDATE users SET last_login_at = now(), password_hash = coalesce($2, password_hash)"
        f" WHERE id = $1 RETURNING {_USER}",
        id,
        new_hash,
    )


# Sessions -----------------------------------------------------------------------


async def insert_session(
    conn: Conn, user_id: int, token_hash: bytes, client: str, idle: timedelta, longest: timedelta
) -> asyncpg.Record:
    return await fetch_one(
        conn,
        "INSERT INTO sessions (user_id, token_hash, client, expires_at)"
        " VALUES ($1, $2, $3, now() + least($4::interval, $5::interval)) RETURNING id, expires_at",
        user_id,
        token_hash,
        client[:100],
        idle,
        longest,
    )


async def touch_session(conn: Conn, token_hash: bytes, idle: timedelta, longest: timedelta) -> asyncpg.Record | None:
    """The live session with that digest and its active user, its expiry slid forward (never past
    `longest` after it began); None when there is none."""
    return await conn.fetchrow(
        "UPDATE sessions s SET expires_at = least(now() + $2::interval, s.created_at + $3::interval)"
        " FROM users u WHERE s.token_hash = $1 AND u.id = s.user_id AND u.active"
        " AND s.revoked_at IS NULL AND s.expires_at > now()"
        " RETURNING s.id AS credential_id, s.expires_at, u.id AS user_id, u.email, u.name, u.role",
        token_hash,
        idle,
        longest,
    )


async def revoke_session(conn: Conn, token_hash: bytes) -> bool:
    done = await conn.fetchval(
        "UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL"
        " AND expires_at > now() RETURNING id",
        token_hash,
    )
    return done is not None


async def revoke_sessions_of(conn: Conn, user_id: int) -> None:
    await conn.execute("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", user_id)


# API tokens ---------------------------------------------------------------------

_TOKEN = "id, user_id, name, prefix, created_at, last_used_at, revoked_at"


async def insert_token(conn: Conn, user_id: int, name: str, token_hash: bytes, prefix: str) -> asyncpg.Record:
    return await fetch_one(
        conn,
        f"INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4) RETURNING {_TOKEN}",
        user_id,
        name,
        token_hash,
        prefix,
    )


async def use_token(conn: Conn, token_hash: bytes) -> asyncpg.Record | None:
    """The live API token with that digest and its active user, marked used now; None when there is none."""
    return await conn.fetchrow(
        "UPDATE api_tokens t SET last_used_at = now() FROM users u"
        " WHERE t.token_hash = $1 AND u.id = t.user_id AND u.active AND t.revoked_at IS NULL"
        " RETURNING t.id AS credential_id, u.id AS user_id, u.email, u.name, u.role",
        token_hash,
    )


async def list_tokens(conn: Conn, user_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {_TOKEN} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC", user_id)


async def revoke_token(conn: Conn, user_id: int, id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2"
        f" RETURNING {_TOKEN}",
        id,
        user_id,
    )


# Login attempts -----------------------------------------------------------------


async def add_attempt(conn: Conn, scope: str, key: str) -> int:
    return int(await conn.fetchval("INSERT INTO login_attempts (scope, key) VALUES ($1, $2) RETURNING id", scope, key))


async def attempts_since(conn: Conn, scope: str, key: str, window: timedelta) -> asyncpg.Record:
    """How many attempts of `key` the window holds, and how long until the oldest leaves it."""
    return await fetch_one(
        conn,
        "SELECT count(*) AS count, coalesce(extract(epoch FROM min(at) + $3::interval - now()), 0) AS retry_after"
        " FROM login_attempts WHERE scope = $1 AND key = $2 AND at > now() - $3::interval",
        scope,
        key,
        window,
    )


async def delete_attempts(conn: Conn, ids: list[int]) -> None:
    await conn.execute("DELETE FROM login_attempts WHERE id = ANY($1::bigint[])", ids)


async def clear_attempts(conn: Conn, scope: str, key: str) -> None:
    await conn.execute("DELETE FROM login_attempts WHERE scope = $1 AND key = $2", scope, key)


async def prune(conn: Conn, window: timedelta, keep_sessions: timedelta) -> None:
    """Forget attempts older than the window, and sessions ended longer ago than `keep_sessions`."""
    await conn.execute("DELETE FROM login_attempts WHERE at < now() - $1::interval", window)
    await conn.execute(
        "DELETE FROM sessions WHERE coalesce(revoked_at, expires_at) < now() - $1::interval", keep_sessions
    )
