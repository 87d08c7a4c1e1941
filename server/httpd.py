"""The HTTP layer: ``ThreadingHTTPServer``, request parsing, serialisation, test hooks and faults."""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import db
from .app import PREFIX, Call, Mode, OpenCityApp, Reply, split_path
from .errors import ApiError
from .faults import Fault, FaultRegistry, spoil_first_record
from .formats import FORMATS, JSON_TYPE, error_payload, render

MAX_BODY = 1_000_000


class OpenCityServer(ThreadingHTTPServer):
    """One server: the app, the faults and whether the test hooks are on."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        db_path: str | Path,
        test_hooks: bool = False,
        quiet: bool = False,
        mode: Mode | None = None,
    ):
        super().__init__(address, Handler)
        self.app = OpenCityApp(db_path, mode=mode)
        self.faults = FaultRegistry()
        self.test_hooks = test_hooks
        self.quiet = quiet
        self.hits: dict[str, int] = {}
        self.hits_lock = threading.Lock()

    def count_hit(self, key: str) -> None:
        with self.hits_lock:
            self.hits[key] = self.hits.get(key, 0) + 1


class Handler(BaseHTTPRequestHandler):
    """Parses a call, asks the app, writes the answer (or the injected fault)."""

    protocol_version = "HTTP/1.1"
    server: OpenCityServer
    server_version = "OpenMistoReference/1"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")

    # -- dispatch ----------------------------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        try:
            body = self._read_body()
        except ApiError as error:
            self._send_reply(Reply(error.status, error_payload(error.status, error.description), "errors"))
            return
        if path.startswith("/_test/"):
            self._test_hook(method, path, body)
            return
        located = split_path(path)
        fmt = located[1] if located else "json"
        self.server.count_hit(f"{method} {located[0] if located else path}")

        fault = self.server.faults.take(method, path) if self.server.test_hooks else None
        if fault and fault.delay_s:
            time.sleep(fault.delay_s)
        if fault and not fault.after_apply and self._answer_fault_early(fault, fmt):
            return

        reply = self._call_app(method, url.query, body, located, fmt)
        if fault and fault.after_apply and self._answer_fault_early(fault, fmt):
            return
        if fault and fault.bad_record and reply.status == 200:
            spoil_first_record(reply.payload, fault.bad_record)
        self._send_reply(reply, truncate=fault.truncate if fault else False)

    def _call_app(self, method: str, query: str, body: bytes, located: tuple[str, str] | None, fmt: str) -> Reply:
        if located is None:
            return Reply(404, error_payload(404, f"Not an Open311 path; the API lives under {PREFIX}"), "errors")
        pairs = parse_qsl(query, keep_blank_values=True)
        params: dict[str, str] = {}
        for key, value in pairs:
            params.setdefault(key, value)
        form: dict[str, str] = {}
        if body:
            for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
                form.setdefault(key, value)
        header_key = self.headers.get("X-Api-Key")
        if header_key and not params.get("api_key"):
            params["api_key"] = header_key
        if header_key and not form.get("api_key"):
            form["api_key"] = header_key
        call = Call(
            method=method,
            name=located[0],
            fmt=fmt,
            params=params,
            query_pairs=pairs,
            form=form,
            host=self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}",
            scheme="https" if (self.headers.get("X-Forwarded-Proto") or "").strip().lower() == "https" else "http",
        )
        try:
            return self.server.app.handle(call)
        except ApiError as error:
            return Reply(error.status, error_payload(error.status, error.description), "errors", fmt)
        except Exception as error:  # noqa: BLE001 - a server answers 500 instead of dying
            traceback.print_exc()
            return Reply(500, error_payload(500, f"Internal error: {error}"), "errors", fmt)

    def _read_body(self) -> bytes:
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise ApiError(400, "Content-Length is not a number.") from None
        if length > MAX_BODY:
            self.close_connection = True
            raise ApiError(400, f"The body is larger than {MAX_BODY} bytes.")
        return self.rfile.read(length) if length > 0 else b""

    # -- answers -----------------------------------------------------------------------------------------------
    def _answer_fault_early(self, fault: Fault, fmt: str) -> bool:
        """Answer with the fault's status or drop the connection; False when the fault is of another kind."""
        if fault.drop:
            self.close_connection = True
            return True
        if fault.status:
            description = f"Injected fault: HTTP {fault.status}"
            self._send_reply(Reply(int(fault.status), error_payload(int(fault.status), description), "errors", fmt))
            return True
        return False

    def _send_reply(self, reply: Reply, truncate: bool | str = False) -> None:
        body = render(reply.payload, reply.kind, reply.fmt)
        declared = len(body)
        if truncate:
            body = body[: len(body) // 2]
            if truncate != "connection":
                declared = len(body)
            self.close_connection = True
        self.send_response(reply.status)
        self.send_header("Content-Type", FORMATS.get(reply.fmt, JSON_TYPE))
        self.send_header("Content-Length", str(declared))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: Any) -> None:
        self._send_reply(Reply(status, payload, "stats", "json"))

    # -- test hooks --------------------------------------------------------------------------------------------
    def _test_hook(self, method: str, path: str, body: bytes) -> None:
        if not self.server.test_hooks:
            self._send_json(404, error_payload(404, "Test hooks are off (start with --enable-test-hooks)."))
            return
        if method == "POST" and path == "/_test/fault":
            try:
                data = json.loads(body or b"{}")
                if not isinstance(data, dict):
                    raise ValueError("the body must be a JSON object")
                fault = Fault.from_json(data)
            except (ValueError, TypeError) as error:
                self._send_json(400, error_payload(400, f"Bad fault: {error}"))
                return
            self.server.faults.add(fault)
            self._send_json(200, {"pending": self.server.faults.pending()})
        elif method == "POST" and path == "/_test/reset_faults":
            self.server.faults.reset()
            self._send_json(200, {"pending": []})
        elif method == "GET" and path == "/_test/stats":
            stats = self.server.app.stats()
            stats["pending_faults"] = self.server.faults.pending()
            with self.server.hits_lock:
                stats["hits"] = dict(self.server.hits)
            self._send_json(200, stats)
        else:
            self._send_json(404, error_payload(404, f"No test hook {method} {path}."))


def serve(
    db_path: str | Path, host: str, port: int, test_hooks: bool = False, quiet: bool = False, mode: Mode | None = None
) -> None:
    """Prepare the database and serve until interrupted."""
    db.prepare(db_path)
    server = OpenCityServer((host, port), db_path, test_hooks=test_hooks, quiet=quiet, mode=mode)
    actual_port = server.server_address[1]
    kind = ""
    if mode is not None and (mode.plain or mode.xml_only):
        kind = " plain GeoReport v2" if mode.plain else ""
        kind += ", XML only" if mode.xml_only else ""
        kind += f", at most {mode.result_cap} reports per answer" if mode.plain else ""
    print(f"Open City reference server{kind} on http://{host}:{actual_port}{PREFIX} (db {db_path})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
