"""A real HTTP receiver on loopback: it answers as told (2xx, 5xx, or not before a timeout)
and records every request it got, for webhook and chat tests alike."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Paths choose the answer: /ok → 200, /fail → 500, /slow → no answer until released."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    release: threading.Event = field(default_factory=threading.Event)
    # What /flaky answers: popped from the front, 200 once empty.
    flaky: list[int] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The first `count` requests, once they arrived (the test fails if they do not)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.requests) >= count, timeout), (
                f"{len(self.requests)} of {count} requests arrived"
            )
            return list(self.requests)


def handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.arrived:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                receiver.arrived.notify_all()
            if self.path.startswith("/slow"):
                receiver.release.wait(10)  # the sender gives up long before
                status = 200
            elif self.path.startswith("/fail"):
                status = 500
            elif self.path.startswith("/flaky") and receiver.flaky:
                status = receiver.flaky.pop(0)
            else:
                status = 200
            answer = b'{"received": true}' if status < 300 else b"receiver broke"
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(found))
    server.daemon_threads = True
    found.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        found.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
