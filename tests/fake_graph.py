"""A local stand-in for the WhatsApp Cloud (Graph) API: records what is sent,
answers with wamids, and fails on request (HTTP status + Meta error code)."""

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeGraph:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.failures: list[tuple[int, int]] = []  # (HTTP status, Meta error code) for the next sends
        self.lock = threading.Lock()
        ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with fake.lock:
                    failure = fake.failures.pop(0) if fake.failures else None
                    if failure is None and self.headers.get("Authorization", "").startswith("Bearer "):
                        fake.sent.append(body)
                if failure:
                    status, code = failure
                    reply = {
                        "error": {"message": "injected", "type": "OAuthException", "code": code, "fbtrace_id": "x"}
                    }
                elif not self.headers.get("Authorization", "").startswith("Bearer "):
                    status, reply = 401, {"error": {"message": "no token", "code": 190}}
                else:
                    status = 200
                    reply = {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                             "messages": [{"id": f"wamid.fake.{next(ids)}"}]}  # fmt: skip
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

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
