"""The Redis client every service uses: short timeouts so a Redis outage is
noticed quickly (booking, for one, must keep working without it)."""

import redis.asyncio as redis


def create_redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=15,
        decode_responses=True,
    )
