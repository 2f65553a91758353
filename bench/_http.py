"""A lean keep-alive HTTP/1.1 client for the benchmarks' load.

httpx spends about 5 ms of CPU per request on a 2-core machine, as much as the servers it
measures: on two cores the load would take half the machine and cap what the system shows. This
one speaks just what the gateway answers (a status line, headers, a Content-Length body) over a
pool of connections, and costs a tenth of that. It needs nothing installed, so that the same
script measures older commits too.
"""

if __name__ == "__main__":  # `make bench` runs every bench/*.py: there is nothing to measure here
    raise SystemExit(0)

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names lowercased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LeanClient:
    """Requests to one origin over at most `size` kept-alive connections."""

    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.authority = f"{self.host}:{self.port}".encode()
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(size)

    async def post(self, path: str, payload: Any) -> Answer:
        return await self.request("POST", path, json.dumps(payload).encode(), b"application/json")

    async def get(self, path: str) -> Answer:
        return await self.request("GET", path)

    async def request(self, method: str, path: str, body: bytes = b"", content_type: bytes = b"") -> Answer:
        target = urlsplit(path)
        where = (target.path or "/") + (f"?{target.query}" if target.query else "")
        head = [f"{method} {where} HTTP/1.1".encode(), b"Host: " + self.authority]
        if body or method == "POST":
            head += [b"Content-Type: " + content_type, f"Content-Length: {len(body)}".encode()]
        raw = b"\r\n".join(head) + b"\r\n\r\n" + body
        async with self._slots:
            reader, writer = self._idle.pop() if self._idle else await asyncio.open_connection(self.host, self.port)
            try:
                answer = await self._exchange(reader, writer, raw)
            except BaseException:
                writer.close()
                raise
            if answer.headers.get("connection", "").lower() == "close":
                writer.close()
            else:
                self._idle.append((reader, writer))
            return answer

    @staticmethod
    async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> Answer:
        writer.write(raw)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise ConnectionError(f"an answer without Content-Length: {headers}")  # not what the gateway sends
        return Answer(status, headers, await reader.readexactly(int(headers["content-length"])))

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
