"""Per-cabin Redis locks: they only serialise contenders so the database sees
one insert at a time per cabin. Correctness never depends on them: when Redis
is down or the wait runs out, the caller goes on and the exclusion constraint
decides. Failures are counted."""

import asyncio
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from prometheus_client import Counter

log = logging.getLogger(__name__)

LOCK_FAILURES = Counter("booking_lock_failures_total", "Cabin locks not obtained", ["reason"])

# Compare-and-delete: only the holder's token releases the lock.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class CabinLocks:
    def __init__(self, redis: aioredis.Redis | None, *, ttl_ms: int = 5000, wait_seconds: float = 2.0) -> None:
        self.redis = redis
        self.ttl_ms = ttl_ms
        self.wait_seconds = wait_seconds

    @asynccontextmanager
    async def hold(self, accommodation_id: int) -> AsyncIterator[bool]:
        """Hold the cabin's lock while the block runs; yields whether it was obtained."""
        key, token = f"booking:lock:accommodation:{accommodation_id}", secrets.token_hex(16)
        acquired = await self._acquire(key, token)
        try:
            yield acquired
        finally:
            if acquired and self.redis is not None:  # only obtained with Redis
                try:
                    await self.redis.eval(_RELEASE, 1, key, token)
                except aioredis.RedisError:
                    log.warning("lock release failed; it expires by itself", extra={"key": key})

    async def _acquire(self, key: str, token: str) -> bool:
        if self.redis is None:
            LOCK_FAILURES.labels("no_redis").inc()
            return False
        deadline = time.monotonic() + self.wait_seconds
        try:
            while not await self.redis.set(key, token, nx=True, px=self.ttl_ms):
                if time.monotonic() > deadline:
                    LOCK_FAILURES.labels("timeout").inc()
                    return False
                await asyncio.sleep(random.uniform(0.005, 0.03))
        except (aioredis.RedisError, OSError):
            LOCK_FAILURES.labels("redis_error").inc()
            return False
        return True
