"""The Redis client every service uses: short timeouts so a Redis outage is
noticed quickly (booking, for one, must keep working without it), and a pool
that makes a burst wait briefly for a connection instead of failing (a plain
pool raises once its connections are all busy, which would read as an outage:
the gateway's rate limit and idempotency would fail open under load)."""

import redis.asyncio as redis


def create_redis(url: str, max_connections: int = 64) -> redis.Redis:
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=2,  # seconds a command waits for a free connection
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=15,
        decode_responses=True,
    )
    return redis.Redis.from_pool(pool)
