"""Helpers shared by the benchmarks: timing, peak memory, child processes, the reference server, tables.

- time: :func:`time.perf_counter`;
- peak memory of work in this process: :mod:`tracemalloc` (Python allocations; run it apart from the
  timed run, it slows Python code down);
- peak memory of a child process: its own ``ru_maxrss`` (``os.wait4``), so that other children (the
  server, the generator) do not mix in.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _plugins in ("/usr/share/qgis/python/plugins", "/usr/lib/qgis/python/plugins"):
    if Path(_plugins).is_dir() and _plugins not in sys.path:
        sys.path.append(_plugins)

MB = 1024 * 1024


@dataclass
class ChildResult:
    """A finished child process: wall time, its own peak resident memory, exit status."""

    seconds: float
    maxrss_bytes: int
    returncode: int


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of ``fn()`` (perf_counter) and its value."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def traced_peak(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Peak of Python allocations (tracemalloc, bytes) while ``fn()`` runs, and its value."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        value = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak), value


def run_child(command: Sequence[str], **popen: Any) -> ChildResult:
    """Run a command to its end; its own ``ru_maxrss`` (``os.wait4``), not the sum over all children."""
    start = time.perf_counter()
    process = subprocess.Popen(list(command), **popen)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return ChildResult(seconds, usage.ru_maxrss * 1024, process.returncode)  # ru_maxrss is in KiB on Linux


def self_maxrss_bytes() -> int:
    """High-water mark of this process's resident memory so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout_s: float = 60.0) -> None:
    """Wait until ``url`` answers 200."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = str(exc)
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s:g} s: {last}")


class RefServerProcess:
    """``python -m server`` on a free 127.0.0.1 port, stopped by :meth:`stop` (or ``with``)."""

    def __init__(self, db_path: str | Path, log_path: str | Path | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/open311/v2/"
        log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - the child writes to it
        command = [sys.executable, "-m", "server", "--db", str(db_path), "--port", str(self.port), "--quiet"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        try:
            wait_http(self.base_url + "discovery.json")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> RefServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def qgis_app() -> Any:
    """A headless ``QgsApplication`` (initialised once)."""
    from qgis.core import QgsApplication

    app = QgsApplication.instance()
    if app is None:
        app = QgsApplication([], False)
        app.initQgis()
    return app


def fmt_seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def fmt_mb(value: int | None) -> str:
    return "—" if value is None else f"{value / MB:.0f} MB"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """A plain text table (left-aligned first column, the others right-aligned)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    if title:
        print(f"\n{title}")
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    sys.stdout.flush()
