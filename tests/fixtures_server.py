"""Pytest fixtures for the reference Open City server (plugin module listed in tests/conftest.py).

- ``refserver_template`` (session): a generated database (400 reports, fixed seed), never served itself.
- ``refserver`` (session): a server on a copy of the template, with the test hooks on. Share it only for
  reading, or reset what you change: other tests see the same server.
- ``fresh_refserver`` (function): its own copy of the template and its own server process.

Each server object has ``base_url`` (ending in ``/open311/v2/``), ``db_path``, ``port``, ``keys``
(``moderator``, ``viewer`` and ``officer:<dept>`` -> API key), ``departments`` (dicts with the officers'
personal data), ``url(path)``, ``fault(**kw)``, ``reset_faults()``, ``stats()`` and ``db()`` (a read-only
``sqlite3`` connection, to compute expected results independently). Only urllib is used here.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_REPORTS = 400
TEMPLATE_SEED = 2411
START_TIMEOUT_S = 30.0


@dataclass
class RefServerTemplate:
    """A generated database and what it was made with."""

    db_path: Path
    reports: int
    seed: int
    now: datetime


@dataclass
class RefServer:
    """A running reference server process."""

    db_path: Path
    port: int
    process: subprocess.Popen
    log_path: Path
    keys: dict[str, str] = field(default_factory=dict)
    departments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}open311/v2/"

    def url(self, path: str) -> str:
        """``url("requests.json")`` -> ``http://127.0.0.1:PORT/open311/v2/requests.json``."""
        return self.base_url + path.lstrip("/")

    def officer_key(self, department: str) -> str:
        return self.keys[f"officer:{department}"]

    def fault(self, **fault: Any) -> dict[str, Any]:
        """Register a fault, e.g. ``fault(path_contains="requests", status=500, count=1)``."""
        return self._hook("POST", "_test/fault", fault)

    def reset_faults(self) -> dict[str, Any]:
        return self._hook("POST", "_test/reset_faults", {})

    def stats(self) -> dict[str, Any]:
        """Applied updates per update_id, replays, pending faults and hits per endpoint."""
        return self._hook("GET", "_test/stats", None)

    def db(self) -> sqlite3.Connection:
        """A read-only connection to the server's database (close it when done)."""
        return sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)

    def _hook(self, method: str, path: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.root_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_keys_and_departments(db_path: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        keys = {}
        for key, role, department in conn.execute("SELECT api_key, role, department FROM api_keys ORDER BY api_key"):
            keys[f"officer:{department}" if role == "officer" else role] = key
        columns = ("code", "name", "officer_name", "officer_phone", "officer_email")
        departments = [
            dict(zip(columns, row))
            for row in conn.execute(f"SELECT {', '.join(columns)} FROM departments ORDER BY sort")
        ]
    finally:
        conn.close()
    return keys, departments


def start_refserver(
    db_path: Path, log_path: Path, test_hooks: bool = True, attempts: int = 3, extra: tuple[str, ...] = ()
) -> RefServer:
    """Start ``python -m server`` on a free port (``extra``: more options, e.g. ``--plain``) and wait
    until it answers ``discovery.json`` (an XML-only server's 404 counts)."""
    keys, departments = _read_keys_and_departments(db_path)
    last_error = ""
    for _ in range(attempts):
        port = free_port()
        command = [sys.executable, "-m", "server", "--db", str(db_path), "--port", str(port), "--quiet"]
        if test_hooks:
            command.append("--enable-test-hooks")
        command.extend(extra)
        log = open(log_path, "ab")  # noqa: SIM115 - the child process writes to it
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        server = RefServer(db_path, port, process, log_path, keys, departments)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(server.url("discovery.json"), timeout=2) as response:
                    if response.status == 200:
                        return server
            except urllib.error.HTTPError:
                return server  # it answers
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                last_error = str(error)
            time.sleep(0.05)
        server.stop()
        last_error = log_path.read_text(errors="replace")[-2000:] or last_error
    raise RuntimeError(f"the reference server did not start: {last_error}")


@pytest.fixture(scope="session")
def refserver_template(tmp_path_factory: pytest.TempPathFactory) -> RefServerTemplate:
    """A database of 400 reports with a fixed seed, generated once per session."""
    from server.generate import default_now, generate

    now = default_now()
    path = tmp_path_factory.mktemp("refserver") / "template.sqlite"
    generate(path, reports=TEMPLATE_REPORTS, seed=TEMPLATE_SEED, now=now)
    return RefServerTemplate(path, TEMPLATE_REPORTS, TEMPLATE_SEED, now.astimezone(timezone.utc))


def _served_copy(template: RefServerTemplate, directory: Path) -> RefServer:
    db_path = directory / "server.sqlite"
    shutil.copyfile(template.db_path, db_path)
    return start_refserver(db_path, directory / "server.log")


@pytest.fixture(scope="session")
def refserver(refserver_template: RefServerTemplate, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    """One server for the whole session, on a copy of the template, with test hooks."""
    server = _served_copy(refserver_template, tmp_path_factory.mktemp("refserver-shared"))
    yield server
    server.stop()


@pytest.fixture
def fresh_refserver(refserver_template: RefServerTemplate, tmp_path: Path) -> Iterator[RefServer]:
    """A server of its own for one test (its database is a fresh copy of the template)."""
    server = _served_copy(refserver_template, tmp_path)
    yield server
    server.stop()
