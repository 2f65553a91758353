"""Rate limiting per client IP and route, in Redis (shared by every gateway replica).

A token bucket per (client, route) in one atomic Lua script: `limit` requests
per `window` seconds on average, bursts up to `limit`. The client is the
direct peer, or the address in `X-Forwarded-For` only when the peer is one of
`TRUSTED_PROXIES` (otherwise anyone could name their own address and escape
the limit). Signed webhooks get their own, larger budget. With Redis down the
request goes through and `gateway_rate_limit_errors_total` counts it:
protection fails open, booking does not stop.
"""

import logging
import math
import time

import redis.asyncio as aioredis
from fastapi import HTTPException, Request
from prometheus_client import Counter

from services.common.web import client_ip, trusted_networks

log = logging.getLogger(__name__)
LIMITED = Counter("gateway_rate_limited_total", "Requests refused with 429", ["route"])
ERRORS = Counter("gateway_rate_limit_errors_total", "Requests let through because Redis could not be asked")
EXEMPT = ("/api/v1/healthz", "/api/v1/readyz", "/metrics")

# KEYS[1] bucket; ARGV: capacity, refill per second, now (s). Returns {allowed, seconds to wait}.
_BUCKET = """
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed, wait = 0, (1 - tokens) / rate
if tokens >= 1 then tokens, allowed, wait = tokens - 1, 1, 0 end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {allowed, tostring(wait)}
"""


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, limit: int, window: float, webhook_limit: int, proxies: str) -> None:
        self.redis, self.limit, self.window, self.webhook_limit = redis, limit, window, webhook_limit
        self.proxies = trusted_networks(proxies)
        self.script = redis.register_script(_BUCKET)

    async def check(self, request: Request, route: str) -> None:
        """Raise 429 with Retry-After when this client has used up its budget for `route` (the
        matched route's template: one budget for every reservation code, one for every unmatched path)."""
        if request.url.path in EXEMPT:
            return
        webhook = route.startswith("/api/v1/webhooks/")
        limit = self.webhook_limit if webhook else self.limit
        peer = request.client.host if request.client else "unknown"
        ip = client_ip(peer, request.headers.get("x-forwarded-for"), self.proxies)
        try:
            allowed, wait = await self.script(
                keys=[f"ratelimit:{request.method} {route}:{ip}"], args=[limit, limit / self.window, time.time()]
            )
        except (aioredis.RedisError, OSError) as exc:
            ERRORS.inc()
            log.warning("rate limit not checked, letting the request through: %s", exc)
            return
        if not int(allowed):
            LIMITED.labels(route).inc()
            retry = max(1, math.ceil(float(wait)))
            raise HTTPException(429, f"Too many requests; try again in {retry} s.", headers={"Retry-After": str(retry)})
