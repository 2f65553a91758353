"""Login throttling, per e-mail and per client address, over a sliding window.

Each attempt is counted before its password is checked (a row per scope), so racing
guesses cannot slip past the limit between a count and a write. An attempt that
finds its scope full is refused (LOGIN_THROTTLED, with how long to wait) and its rows
removed at once: a refused attempt counts for nothing, so the window empties as its
failures age out even while an attacker keeps knocking, and the real owner is never
locked out for longer than the window. A successful login removes its own rows and
the e-mail's failures (the owner's typos), never the client's: an attacker who also
holds a real account cannot wipe the record of their guesses by logging in.
"""

from dataclasses import dataclass
from datetime import timedelta
from math import ceil

import asyncpg

from services.accounts import store
from services.common.db import Conn
from services.common.errors import DomainError, Kind

MAX_CLIENT = 100  # an address, maybe with a port; longer is not one


@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_email: int
    per_client: int


@dataclass(frozen=True)
class Attempt:
    """An attempt being checked: its rows, and the e-mail it was for."""

    ids: list[int]
    email: str


def throttled(scope: str, retry_after: float) -> DomainError:
    seconds = max(1, ceil(retry_after))
    minutes = max(1, ceil(seconds / 60))
    return DomainError(
        Kind.EXHAUSTED,
        "LOGIN_THROTTLED",
        f"Demasiados intentos fallidos. Probá de nuevo en {minutes} minuto{'s' if minutes > 1 else ''}.",
        retry_after_seconds=str(seconds),
        scope=scope,
    )


async def begin(pool: asyncpg.Pool, limits: Limits, email: str, client: str) -> Attempt:
    """Count an attempt for `email` (and `client`, when known), or refuse it without counting it."""
    scopes = [("email", email, limits.per_email)]
    if client:
        scopes.append(("client", client[:MAX_CLIENT], limits.per_client))
    async with pool.acquire() as conn:
        ids = [await store.add_attempt(conn, scope, key) for scope, key, _ in scopes]
        for scope, key, limit in scopes:
            seen = await store.attempts_since(conn, scope, key, limits.window)
            if seen["count"] > limit:
                await store.delete_attempts(conn, ids)
                raise throttled(scope, float(seen["retry_after"]))
    return Attempt(ids, email)


async def succeeded(conn: Conn, attempt: Attempt) -> None:
    await store.delete_attempts(conn, attempt.ids)
    await store.clear_attempts(conn, "email", attempt.email)
