"""Logging in, and what a credential proves: sessions and API tokens.

A session lasts `idle` after its last use and never more than `longest` after login
(12 h and 7 days by default: SESSION_IDLE_HOURS, SESSION_MAX_HOURS). An API token
lasts until it is revoked. Both work only while their user is active, and both are
read fresh on every Authenticate: a changed role applies at once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from services.accounts import store, throttle, users
from services.accounts.passwords import Hasher
from services.accounts.secrets_ import SHOWN_PREFIX, Kind, digest, kind_of, new_secret
from services.common.errors import DomainError, invalid, not_found
from services.common.errors import Kind as ErrorKind

MAX_TOKEN_NAME = 80


@dataclass(frozen=True)
class Lifetime:
    idle: timedelta
    longest: timedelta


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    name: str
    role: str
    kind: Kind
    credential_id: int
    expires_at: datetime | None


def unauthenticated() -> DomainError:
    return DomainError(ErrorKind.UNAUTHENTICATED, "UNAUTHENTICATED", "La sesión terminó: volvé a entrar.")


async def login(
    pool: asyncpg.Pool,
    hasher: Hasher,
    limits: throttle.Limits,
    lifetime: Lifetime,
    email: str,
    password: str,
    client: str,
) -> tuple[str, datetime, asyncpg.Record]:
    """A new session (its secret, its expiry, its user) for the right e-mail and password."""
    key = email.strip().lower()
    attempt = await throttle.begin(pool, limits, key, client)
    async with pool.acquire() as conn:
        user = await store.user_with_hash(conn, email=key)
    if user is None:
        await hasher.verify_nobody(password)
        raise users.login_failed()
    if not await hasher.verify(user["password_hash"], password) or not user["active"]:
        raise users.login_failed()
    rehashed = await hasher.hash(password) if hasher.needs_rehash(user["password_hash"]) else None
    secret = new_secret(Kind.SESSION)
    async with pool.acquire() as conn, conn.transaction():
        await throttle.succeeded(conn, attempt)
        logged_in = await store.logged_in(conn, user["id"], rehashed)
        session = await store.insert_session(conn, user["id"], digest(secret), client, lifetime.idle, lifetime.longest)
    return secret, session["expires_at"], logged_in


async def authenticate(pool: asyncpg.Pool, lifetime: Lifetime, secret: str) -> Principal:
    kind = kind_of(secret)
    async with pool.acquire() as conn:
        if kind is Kind.SESSION:
            row = await store.touch_session(conn, digest(secret), lifetime.idle, lifetime.longest)
        elif kind is Kind.API_TOKEN:
            row = await store.use_token(conn, digest(secret))
        else:
            row = None
    if row is None or kind is None:
        raise unauthenticated()
    return Principal(
        user_id=row["user_id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        kind=kind,
        credential_id=row["credential_id"],
        expires_at=row.get("expires_at"),
    )


async def logout(pool: asyncpg.Pool, secret: str) -> bool:
    if kind_of(secret) is not Kind.SESSION:
        return False
    async with pool.acquire() as conn:
        return await store.revoke_session(conn, digest(secret))


async def create_token(pool: asyncpg.Pool, user_id: int, name: str) -> tuple[asyncpg.Record, str]:
    """A new API token of an existing user, and its secret (shown once)."""
    label = " ".join(name.split())
    if not 1 <= len(label) <= MAX_TOKEN_NAME:
        raise invalid("INVALID_NAME", f"El nombre del token tiene que tener entre 1 y {MAX_TOKEN_NAME} caracteres.")
    secret = new_secret(Kind.API_TOKEN)
    async with pool.acquire() as conn:
        if await store.get_user(conn, user_id) is None:
            raise not_found(f"No existe el usuario {user_id}.")
        row = await store.insert_token(conn, user_id, label, digest(secret), secret[:SHOWN_PREFIX])
    return row, secret


async def tokens(pool: asyncpg.Pool, user_id: int) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await store.list_tokens(conn, user_id)


async def revoke_token(pool: asyncpg.Pool, user_id: int, id: int) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await store.revoke_token(conn, user_id, id)
    if row is None:
        raise not_found("No existe ese token.")
    return row
