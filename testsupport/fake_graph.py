"""A local stand-in for the WhatsApp Cloud (Graph) API: records what is sent,
answers with wamids, and fails on request (HTTP status + Meta error code)."""

import hashlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeGraph:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.failures: list[tuple[int, int]] = []  # (HTTP status, Meta error code) for the next sends
        self.media: dict[str, bytes] = {}  # media id -> bytes, served like Meta serves voice notes
        self.arrivals: list[tuple[str, float]] = []  # (recipient, time.monotonic()) of each accepted message
        self.lock = threading.Lock()
        ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # kept-alive connections, as Graph's; every answer has a length

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with fake.lock:
                    failure = fake.failures.pop(0) if fake.failures else None
                    if failure is None and self.headers.get("Authorization", "").startswith("Bearer "):
                        fake.sent.append(body)
                        fake.arrivals.append((body["to"], time.monotonic()))
                reply: dict[str, Any]
                if failure:
                    status, code = failure
                    reply = {
                        "error": {"message": "injected", "type": "OAuthException", "code": code, "fbtrace_id": "x"}
                    }
                elif not self.headers.get("Authorization", "").startswith("Bearer "):
                    status, reply = 401, {"error": {"message": "no token", "code": 190}}
                else:
                    status = 200
                    reply = {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                        "messages": [{"id": f"wamid.fake.{next(ids)}"}],
                    }
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                authorised = self.headers.get("Authorization", "").startswith("Bearer ")
                media_id = self.path.strip("/").removeprefix("media/")
                data = fake.media.get(media_id)
                if not authorised or data is None:
                    self.send_response(401 if not authorised else 404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path.startswith("/media/"):
                    body, kind = data, "audio/ogg"
                else:
                    meta = {
                        "messaging_product": "whatsapp",
                        "url": f"{fake.url}/media/{media_id}",
                        "mime_type": "audio/ogg; codecs=opus",
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "file_size": len(data),
                        "id": media_id,
                    }
                    body, kind = json.dumps(meta).encode(), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def to(self, phone: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.sent if m["to"] == phone]

    def stop(self) -> None:
        self.httpd.shutdown()
