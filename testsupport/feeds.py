"""A local HTTP server standing in for the channels' iCal hosts (Airbnb, Booking.com)."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    delay: float = 0.0
    etag: str | None = None
    hits: int = 0
    conditional_hits: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                route.hits += 1
                time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    route.conditional_hits += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, **route: Any) -> str:
        """Serve `path` as `Route(**route)` describes; its URL."""
        self.routes[path] = Route(**route)
        return f"{self.url}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()  # refused from now on, not left hanging
