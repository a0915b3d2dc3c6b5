"""A local stand-in for the query system's intake: a real HTTP server on 127.0.0.1.

It keeps one record per idempotency key (a repeated key is answered ``duplicate_status``,
409 by default, and stores nothing) and logs every request. ``plan(n)`` decides how the
n-th request (from 1) is answered: ``"ok"``; ``"fail"`` (500, nothing stored);
``"redirect"`` (302 elsewhere, nothing stored); or
``"slow"`` (stored, then answered only after ``slow_seconds``, so a client with a
shorter timeout believes it failed although the record was taken).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Plan = Callable[[int], str]


@dataclass(frozen=True)
class Post:
    """One request as the receiver saw it."""

    key: str
    body: dict[str, Any]
    status: int
    authorization: str
    content_type: str


def free_port() -> int:
    """A port nothing listens on (for a receiver that is down, then comes up there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def always_ok(_n: int) -> str:
    return "ok"


class Receiver:
    def __init__(
        self,
        *,
        port: int = 0,
        plan: Plan = always_ok,
        duplicate_status: int = 409,
        slow_seconds: float = 0.0,
        delay: float = 0.0,
    ) -> None:
        self.port = port
        self.plan = plan
        self.duplicate_status = duplicate_status
        self.slow_seconds = slow_seconds
        self.delay = delay  # every request takes this long (to make workers overlap)
        self.records: dict[str, dict[str, Any]] = {}  # key → body, in order of acceptance
        self.posts: list[Post] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/certificates"

    def keys_posted(self) -> list[str]:
        return [post.key for post in self.posts]

    def created(self) -> list[str]:
        """Keys in the order the receiver first stored them."""
        return list(self.records)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length) or b"{}")
        key = request.headers.get("Idempotency-Key") or ""
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            action = self.plan(len(self.posts) + 1)
            if action == "fail":
                status = 500
            elif action == "redirect":
                status = 302
            elif key in self.records:
                status = self.duplicate_status
            else:
                self.records[key] = body
                status = 201
            self.posts.append(
                Post(
                    key=key,
                    body=body,
                    status=status,
                    authorization=request.headers.get("Authorization") or "",
                    content_type=request.headers.get("Content-Type") or "",
                )
            )
        if action == "slow":
            time.sleep(self.slow_seconds)
        answer = json.dumps({"key": key}).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            if status == 302:
                request.send_header("Location", "/elsewhere")
            request.send_header("Content-Length", str(len(answer)))
            request.end_headers()
            request.wfile.write(answer)
        except OSError:
            pass  # the client gave up waiting (a "slow" answer)
