"""A small HTTP server on loopback that speaks the publishing side of push services: ntfy's
JSON publish API (POST to the server root with a topic in the body) and any endpoint that takes
a JSON POST (apprise's json:// target).  It records every request, and can be told to fail."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Sink:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None
        self.polls = 0
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if sink.fail_with is not None:
                    self.send_response(sink.fail_with)
                    self.end_headers()
                    return
                try:
                    parsed = json.loads(body)
                except ValueError:
                    self.send_response(400)
                    self.end_headers()
                    return
                with sink._lock:
                    sink.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "json": parsed})
                answer = json.dumps({"id": f"m{len(sink.requests)}", "event": "message",
                                     "topic": parsed.get("topic")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_GET(self) -> None:
                # ntfy's poll: /<topic>/json?poll=1&since=...: the cached messages, a line each
                topic = self.path.lstrip("/").split("/", 1)[0]
                with sink._lock:
                    lines = [json.dumps({"id": f"m{i}", "time": 0, "event": "message",
                                         "topic": topic, "title": r["json"].get("title"),
                                         "message": r["json"].get("message"),
                                         "tags": r["json"].get("tags", [])})
                             for i, r in enumerate(sink.requests)
                             if r["json"].get("topic") == topic]
                    sink.polls += 1
                answer = "".join(f"{line}\n" for line in lines).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Sink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)
