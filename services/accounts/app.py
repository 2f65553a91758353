"""Accounts' parts, built once Postgres connects, and its loop: forgetting old login attempts and sessions."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from services.accounts import store
from services.accounts.auth import Lifetime
from services.accounts.passwords import Hasher
from services.accounts.throttle import Limits
from services.common.db import DATABASE_DOWN
from services.common.grpc_server import App, Loop, Runtime
from services.common.settings import Settings

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 600
KEEP_ENDED_SESSIONS = timedelta(days=30)  # a trace of who was logged in, for a while


@dataclass
class AccountsApp(App):
    db: asyncpg.Pool
    hasher: Hasher  # argon2id, off the event loop
    limits: Limits  # login throttling
    lifetime: Lifetime  # of sessions

    def loops(self) -> dict[str, Loop]:
        return {"prune": self.prune_forever}

    async def prune_forever(self) -> None:
        """Safe with replicas: deleting what is old twice deletes nothing the second time."""
        while True:
            try:
                async with self.db.acquire() as conn:
                    await store.prune(conn, self.limits.window, KEEP_ENDED_SESSIONS)
            except DATABASE_DOWN:
                log.warning("pruning skipped: the database is down", exc_info=True)
            await asyncio.sleep(PRUNE_EVERY_SECONDS)


def limits(settings: Settings) -> Limits:
    return Limits(
        window=timedelta(seconds=settings.login_window_seconds),
        per_email=settings.login_max_failures_per_email,
        per_client=settings.login_max_failures_per_client,
    )


def lifetime(settings: Settings) -> Lifetime:
    return Lifetime(
        idle=timedelta(hours=settings.session_idle_hours), longest=timedelta(hours=settings.session_max_hours)
    )


async def build(runtime: Runtime) -> AccountsApp:
    settings = runtime.settings
    return AccountsApp(db=runtime.db, hasher=Hasher(), limits=limits(settings), lifetime=lifetime(settings))
