"""A real HTTP server on 127.0.0.1 (port 0: the OS picks a free one) that a fake tool plugs into.

Each fake answers in its API's real shape: pagination, rate-limit headers, error bodies. Tests can
make it refuse on purpose: `limit_at` answers those request numbers with the tool's rate-limit
response; `fail_from` answers every request from that number on with a 500 (a tool that went down
half-way through a sync) until `fail_from` is cleared.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


Answer = tuple[int, dict[str, str], bytes]


def as_json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


class FakeTool:
    """Subclasses implement `answer(request)`; this class serves it and records every request."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.limit_at: set[int] = set()
        self.fail_from: int | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # What a subclass provides --------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:  # pragma: no cover - overridden
        raise NotImplementedError

    def rate_limited(self, request: Request) -> Answer:
        return as_json(429, {"message": "Too many requests"}, {"Retry-After": "1"})

    # Serving -------------------------------------------------------------------------------------

    def _dispatch(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            number = len(self.requests)
        if self.fail_from is not None and number >= self.fail_from:
            return as_json(500, {"message": "Internal server error"})
        if number in self.limit_at:
            return self.rate_limited(request)
        return self.answer(request)

    def start(self) -> FakeTool:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                status, headers, body = fake._dispatch(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
