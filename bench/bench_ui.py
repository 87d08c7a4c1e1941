"""Responsiveness of QGIS while the plugin works (issue 12): the main thread's longest stall.

Usage: ``.venv/bin/python bench/bench_ui.py [--reports 100000] [--seed 7] [--page-size 1000] [--keep DIR]
[--no-qgis-process] [--keep-layouts]``

A ``QTimer`` probe fires every 10 ms in the main thread; its lateness (time since the previous tick minus
10 ms) is how long the user's QGIS could not answer. It runs while:

0. nothing (the plugin loaded, idle for 3 s): the baseline of this process on this machine;
1. the plugin's own "Sync now" (``start_sync(full=True)``: the ``SyncTask`` in QGIS's task manager, the
   layers added when the reports are stored, reloaded at the end, the counts and the message bar) brings
   N reports from the reference server into a new GeoPackage;
2. the monthly atlas of the previous month is built through the dialog (``MonthlyReportDialog.start``: the
   task, which computes the figures in its worker thread and prints the pages in short steps of the event
   loop, the maps drawn in QGIS's map renderer threads, the PDF written by a writer thread; with
   ``--keep-layouts`` the layouts and their layers are then added to the project, in the main thread).

The plugin runs with pytest-qgis's ``QgisInterface`` (a real main window, map canvas and message bar),
offscreen, with its settings in a throw-away configuration directory. Next to the sync's wall time, the
same full sync run by ``qgis_process.bin run openmisto:sync`` (a staged copy of the plugin, as
tests/test_processing.py does) into another new GeoPackage. Target: no stall over 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RefServerProcess, fmt_seconds, print_table, run_child

STALL_TARGET_S = 0.100
IDLE = "idle (baseline)"
IDLE_S = 3.0
TICK_S = 0.010
PLUGIN = "openmisto_plugin"


@dataclass
class Probe:
    """Lateness of a 10 ms ``QTimer`` in the main thread, per labelled phase."""

    label: str = ""
    last: float = 0.0
    worst: dict[str, float] = field(default_factory=dict)
    over: dict[str, int] = field(default_factory=dict)
    ticks: dict[str, int] = field(default_factory=dict)
    longest: list[tuple[float, str, float, str]] = field(default_factory=list)  # (stall, phase, at, where)
    started: float = field(default_factory=time.perf_counter)
    stopped: bool = False
    where: dict[float, str] = field(default_factory=dict)  # start of a stall -> the main thread's stack then

    def watch(self) -> None:
        """Worker thread: when the main thread is late by over 100 ms, note where it is (once per stall)."""
        main = threading.main_thread().ident
        noted = 0.0
        while not self.stopped:
            time.sleep(0.02)
            last = self.last
            if self.label and last != noted and time.perf_counter() - last > STALL_TARGET_S:
                noted = last
                frame = sys._current_frames().get(main)
                where = []
                while frame is not None and len(where) < 3:
                    name = frame.f_code.co_filename
                    if PLUGIN in name or "bench_ui" not in name:
                        where.append(f"{Path(name).name}:{frame.f_lineno} {frame.f_code.co_name}")
                    frame = frame.f_back
                self.where[round(last, 4)] = " < ".join(where)

    def start(self, label: str) -> None:
        self.label, self.last = label, time.perf_counter()

    def tick(self) -> None:
        now = time.perf_counter()
        late = max(0.0, now - self.last - TICK_S)
        self.last = now
        if not self.label:
            return
        self.ticks[self.label] = self.ticks.get(self.label, 0) + 1
        self.worst[self.label] = max(self.worst.get(self.label, 0.0), late)
        if late > STALL_TARGET_S:
            self.over[self.label] = self.over.get(self.label, 0) + 1
            where = self.where.get(round(now - late - TICK_S, 4), "")
            self.longest.append((late, self.label, now - self.started, where))


def run_until(app, probe: Probe, label: str, done, timeout_s: float, settle_s: float = 1.0) -> float:
    """Run the event loop (the probe ticking) until ``done()``, then ``settle_s`` more; the wall time to done."""
    start = time.perf_counter()
    probe.start(label)
    finished_at = None
    while True:
        app.processEvents()
        time.sleep(0.001)
        now = time.perf_counter()
        if finished_at is None and done():
            finished_at = now
        if finished_at is not None and now - finished_at >= settle_s:
            break
        if now - start > timeout_s:
            raise RuntimeError(f"{label}: not done within {timeout_s:g} s")
    probe.start("")
    return finished_at - start


def qgis_process_sync(base_url: str, work: Path, page_size: int) -> float | None:
    """Wall time of ``qgis_process.bin run openmisto:sync`` (full) into a new GeoPackage; None when missing."""
    exe = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    if not Path(exe).exists():
        return None
    from tests.helpers_qgis_process import isolated_profile_env

    base = work / "qgis_process"
    base.mkdir()
    env = isolated_profile_env(base)
    with open(work / "qgis_process.log", "ab") as log:
        quiet = {"env": env, "stdout": log, "stderr": -2}
        if run_child([exe, "plugins", "enable", PLUGIN], **quiet).returncode != 0:
            raise RuntimeError("qgis_process could not enable the plugin (see qgis_process.log)")
        args = [exe, "run", "openmisto:sync", "--", f"PLATFORM_URL={base_url}", f"WORKSPACE={work / 'qp.gpkg'}"]
        result = run_child([*args, "FULL=true", f"PAGE_SIZE={page_size}"], **quiet)
    if result.returncode != 0:
        raise RuntimeError("qgis_process openmisto:sync failed (see qgis_process.log)")
    return result.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    parser.add_argument("--no-qgis-process", action="store_true")
    parser.add_argument("--keep-layouts", action="store_true", help="tick 'Keep the layouts in the project'")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_ui-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    from bench_sync import generate

    os.environ["XDG_CONFIG_HOME"] = str(work / "config")  # the plugin's settings: not the user's
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    db_path = work / "server.sqlite"
    print(f"generating {args.reports} reports … {generate(db_path, args.reports, args.seed):.1f} s", flush=True)

    os.environ["QGIS_CUSTOM_CONFIG_PATH"] = str(work / "qgis-config")
    from pytest_qgis.mock_qgis_classes import MockMessageBar
    from pytest_qgis.qgis_interface import QgisInterface
    from qgis.core import QgsApplication, QgsProject
    from qgis.gui import QgsGui, QgsMapCanvas
    from qgis.PyQt.QtCore import QCoreApplication, QTimer
    from qgis.PyQt.QtWidgets import QMainWindow

    QCoreApplication.setOrganizationName("OpenMistoBench")
    app = QgsApplication([], True)
    app.initQgis()
    QgsGui.editorWidgetRegistry().initEditors()

    window = QMainWindow()
    canvas = QgsMapCanvas(window)
    window.setCentralWidget(canvas)
    iface = QgisInterface(canvas, MockMessageBar(), window)
    iface.addDockWidget = window.addDockWidget
    iface.removeDockWidget = window.removeDockWidget
    window.resize(1200, 800)
    window.show()

    from openmisto_plugin import classFactory
    from openmisto_plugin.core.settings import PluginSettings
    from openmisto_plugin.gui.monthly_report_dialog import MonthlyReportDialog

    probe = Probe()
    timer = QTimer()
    timer.setInterval(int(TICK_S * 1000))
    timer.timeout.connect(probe.tick)
    timer.start()
    watchdog = threading.Thread(target=probe.watch, daemon=True)
    watchdog.start()

    with RefServerProcess(db_path, work / "server.log") as server:
        workspace = work / "workspace.gpkg"
        settings = PluginSettings.load()
        settings.base_url = server.base_url
        settings.workspace_path = str(workspace)
        settings.page_size = args.page_size
        settings.sync_interval_min = 0
        settings.save()
        plugin = classFactory(iface)
        plugin.initGui()
        # The same probe while the plugin does nothing: what this machine's load alone costs the main thread.
        run_until(app, probe, IDLE, lambda: True, 60, settle_s=IDLE_S)
        try:
            if plugin.sync.start(full=True) is None:
                raise RuntimeError("the plugin did not start the sync")
            sync_s = run_until(app, probe, "sync (GUI)", lambda: plugin.sync.task is None, 3600)
            print(f"GUI sync: {sync_s:.1f} s; the message bar says: {last_message(iface)}", flush=True)

            dialog = MonthlyReportDialog(str(workspace), iface, window)
            dialog.pdf[1].setText(str(work / "atlas.pdf"))
            dialog.open_pdf.setChecked(False)
            dialog.add_layouts.setChecked(args.keep_layouts)  # off by default in the dialog
            dialog.start()
            if dialog.task is None:
                raise RuntimeError(f"the atlas did not start: {last_message(iface)}")
            atlas_s = run_until(app, probe, "monthly atlas (GUI)", lambda: dialog.task is None, 3600, settle_s=2.0)
            print(f"atlas: {atlas_s:.1f} s; {last_message(iface)}", flush=True)
        finally:
            plugin.unload()
            QgsProject.instance().clear()
        timer.stop()
        probe.stopped = True
        watchdog.join()
        qp_s = None if args.no_qgis_process else qgis_process_sync(server.base_url, work, args.page_size)
    window.close()
    window.deleteLater()
    app.processEvents()

    rows = []
    for label, seconds in ((IDLE, IDLE_S), ("sync (GUI)", sync_s), ("monthly atlas (GUI)", atlas_s)):
        worst = probe.worst.get(label, 0.0)
        rows.append(
            [
                label,
                fmt_seconds(seconds),
                f"{worst * 1000:.0f} ms",
                str(probe.over.get(label, 0)),
                str(probe.ticks.get(label, 0)),
                "yes" if worst <= STALL_TARGET_S else "NO",
            ]
        )
    rows.append(["sync (qgis_process)", fmt_seconds(qp_s), "—", "—", "—", ""])
    print_table(
        ["", "wall time", "longest stall", "stalls > 100 ms", "probe ticks", "≤ 100 ms"],
        rows,
        title=f"Main-thread stalls, {args.reports} reports (QTimer probe every {TICK_S * 1000:.0f} ms)",
    )
    for late, label, at, where in sorted(probe.longest, reverse=True)[:10]:
        print(f"  {late * 1000:6.0f} ms  {label}  at {at:.1f} s  in {where or '?'}")
    return 0  # a missed target is in the table; run_all.py counts a non-zero status as a crash


def last_message(iface) -> str:
    bar = iface.messageBar()
    texts = [m for level in getattr(bar, "messages", {}).values() for m in level]
    return texts[-1] if texts else ""


if __name__ == "__main__":
    raise SystemExit(main())
