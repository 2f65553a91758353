"""A worker that drains its table in passes: one pass after another while there is work, then a
nap until `kick()` (new work committed in this process) or IDLE_SECONDS (work from another
replica, or retries coming due). A failed pass is logged and the loop goes on: a worker that died
would stop its queue while health says SERVING."""

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class WorkLoop:
    IDLE_SECONDS = 1.0

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                busy = await self.run_once()
            except Exception:
                log.warning("%s pass failed", type(self).__name__, exc_info=True)
                busy = False
            if not busy:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.IDLE_SECONDS)

    async def run_once(self) -> bool | int:
        """One pass; truthy when it did something (another pass follows at once)."""
        raise NotImplementedError
