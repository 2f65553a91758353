"""The cabins' names, for understanding free text (`ParseText`) without asking
booking on every call."""

import contextlib
import time

from services.common.errors import DomainError
from services.messaging.ports import Backend

TTL_SECONDS = 60


class CabinNames:
    def __init__(self, backend: Backend, ttl: float = TTL_SECONDS) -> None:
        self.backend, self.ttl = backend, ttl
        self._fetched_at = 0.0
        self._names: dict[str, str] = {}

    async def get(self) -> dict[str, str]:
        """{slug: name}, at most `ttl` seconds old; the last ones known while booking does not answer."""
        if time.monotonic() - self._fetched_at > self.ttl:
            with contextlib.suppress(DomainError):  # booking down: understand the rest without cabin names
                self._names = {c.slug: c.name for c in await self.backend.cabins()}
                self._fetched_at = time.monotonic()
        return self._names
