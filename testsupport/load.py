"""The one load generator of the benchmarks, and their figures.

Open loop (`OpenLoop`): requests arrive on a schedule (`poisson` or `evenly`)
and each is sent when it is due, whether or not earlier ones have answered;
its latency counts from when it was due, so a slow system cannot slow the
arrivals down and hide its own queueing. Closed loop (`closed_loop`): a fixed
number of clients, each sending its next request when its last one answered.
"""

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

Send = Callable[[float], Awaitable[None]]  # one request, given the time.monotonic() when it was due


def poisson(rate: float, duration: float, rng: random.Random) -> Iterator[float]:
    """Arrival times (seconds from the start) of a Poisson process at `rate` a second."""
    at = 0.0
    while (at := at + rng.expovariate(rate)) < duration:
        yield at


def evenly(rate: float, duration: float) -> Iterator[float]:
    """Arrival times (seconds from the start) `1 / rate` apart."""
    return (i / rate for i in range(int(duration * rate)))


def pct(values: list[float], q: int) -> float:
    """The q-th percentile of `values` (seconds), in milliseconds."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100)[q - 1] * 1000


@dataclass
class Route:
    """What one kind of request got back."""

    label: str
    expected: int  # the status it should answer
    sent: int = 0
    latencies: list[float] = field(default_factory=list)  # every answer, whatever its status
    errors: Counter[str] = field(default_factory=Counter)  # unexpected status or exception -> count

    async def call(
        self, client: httpx.AsyncClient, due: float, method: str, url: str, **kwargs: Any
    ) -> httpx.Response | None:
        """One request, timed from when it was `due`; the answer when it has the expected status."""
        self.sent += 1
        try:
            reply = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.errors[type(exc).__name__] += 1
            return None
        self.latencies.append(time.monotonic() - due)
        if reply.status_code != self.expected:
            self.errors[str(reply.status_code)] += 1
            return None
        return reply


@dataclass
class OpenLoop:
    """Sends every arrival when it is due, at most `max_in_flight` at once (beyond that one is shed, and counted)."""

    max_in_flight: int = 2000
    shed: int = 0
    lag: list[float] = field(default_factory=list)  # how late the generator itself sent each arrival
    _in_flight: set[asyncio.Task[None]] = field(default_factory=set)
    _failures: list[BaseException] = field(default_factory=list)

    async def arrivals(self, start: float, times: Iterable[float], pick: Callable[[], Send]) -> None:
        """At each of `times` (seconds after `start`, a time.monotonic()), send what `pick()` gives."""
        for at in times:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            self._send(pick(), start + at)

    def _send(self, send: Send, due: float) -> None:
        if len(self._in_flight) >= self.max_in_flight:
            self.shed += 1
            return
        self.lag.append(time.monotonic() - due)
        task = asyncio.ensure_future(send(due))
        self._in_flight.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            self._failures.append(exc)

    async def drain(self) -> None:
        """Wait for every answer. A request that raised (the client's bug, not an error answer) raises here."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))
        if self._failures:
            raise self._failures[0]


async def closed_loop(
    count: int, concurrency: int, send: Callable[[int], Awaitable[None]]
) -> tuple[float, list[float]]:
    """`send(0)` … `send(count - 1)`, `concurrency` at a time; the wall time and each one's latency (seconds)."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            await send(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    return time.perf_counter() - started, latencies
