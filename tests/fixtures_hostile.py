"""A hostile platform on loopback, and a trap that must receive nothing (plugin module listed in tests/conftest.py).

- ``hostile`` (function): an HTTP server on 127.0.0.1 whose answers a test scripts with ``hostile.answer``:
  ``(status, headers, body)``, or a callable ``(call) -> answer``, or ``"stream"`` (a body that trickles
  forever). Every call is recorded (method, path, query, headers, form), so a test can check where the
  key went. ``hostile.log`` is its access log (request lines as sent, like a proxy or server log).
- ``trap`` (function): a second listener on another host (127.0.0.2) and port. Hostile answers point
  redirects and next-page links at it; a test asserts that it saw no request at all (so no key).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Call:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    raw: bytes

    @property
    def sent(self) -> str:
        """Everything that travelled, as text: request line, headers and body (to search for a key)."""
        head = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.path}?{self.query}\n{head}\n{self.raw.decode('utf-8', 'replace')}"


@dataclass
class ScriptedServer:
    """A loopback HTTP server answering what the test says, recording every call."""

    host: str = "127.0.0.1"
    answer: Answer | str | Callable[[Call], Answer | str] = (200, {}, b"[]")
    calls: list[Call] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def start(self) -> ScriptedServer:
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                call = Call(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query, keep_blank_values=True)),
                    {k.lower(): v for k, v in self.headers.items()},
                    dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)),
                    raw,
                )
                scripted.calls.append(call)
                answer = scripted.answer(call) if callable(scripted.answer) else scripted.answer
                try:
                    if answer == "stream":
                        self._stream()
                        return
                    status, headers, body = answer
                    self.send_response(status)
                    headers = {"Content-Type": "application/json; charset=utf-8", **headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client cut the answer (limits)

            def _stream(self) -> None:
                """200 with a JSON list that never ends, a little at a time (never silent long)."""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"[")
                chunk = b'{"service_request_id":"1","status":"open"},' * 50
                while True:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(0.05)

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def log_message(self, format: str, *args: Any) -> None:
                scripted.log.append(format % args)

        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *_args: None  # a client cutting an answer is what some tests do
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        return self

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def base_url(self) -> str:
        return f"{self.root}open311/v2/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _second_loopback_host() -> str:
    """127.0.0.2 where the system routes it to loopback (Linux does), else 127.0.0.1 (another port)."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.2", 0))
        except OSError:
            return "127.0.0.1"
    return "127.0.0.2"


@pytest.fixture
def hostile(qgis_app) -> Iterator[ScriptedServer]:
    """The hostile platform on 127.0.0.1."""
    server = ScriptedServer().start()
    yield server
    server.stop()


@pytest.fixture
def trap(qgis_app) -> Iterator[ScriptedServer]:
    """A listener on another host and port: whatever reaches it is a leak."""
    server = ScriptedServer(host=_second_loopback_host(), answer=(200, {}, b"[]")).start()
    yield server
    server.stop()
