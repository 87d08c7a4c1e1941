"""Sync speed (issue 2): a full sync of N reports from the reference server into a new workspace, and
an incremental sync of 100 changed reports, against ``ogr2ogr`` loading the same N reports from one
GeoJSON file into a GeoPackage, measured in the same run.

Usage: ``.venv/bin/python bench/bench_sync.py [--reports 100000] [--seed 7] [--changes 100]
[--keep DIR] [--no-memory] [--profile FILE]``

Steps: generate the server database (``server.generate``, fixed seed); export its reports as one GeoJSON
file with the same attributes the sync stores (Open311 fields and the extended attributes); time
``ogr2ogr -f GPKG`` of it (child process: wall time and its own ``ru_maxrss``); start the server on a free
127.0.0.1 port; time ``SyncEngine(...).pull(full=True)`` with the real ``Open311Client`` (QGIS networking)
and ``GeoPackageStore`` in this process, in a headless QgsApplication; change ``--changes`` reports on the
server (``POST servicerequestupdates`` with the moderator key) and time the incremental ``pull()``.
Peak memory of our syncs: tracemalloc, in a second, untimed run of each (tracemalloc slows Python down).

A full sync runs in phases (``SyncResult.phase_seconds``, measured inside the same timed pull):
reference data (services, districts, departments), the reports (all pages committed and the layer's
indexes built: the map is complete and usable), then the history (``servicerequestupdates``, about
3.5 entries per report, 352 000 for 100 000 reports), which ogr2ogr does not load. The table prints
each phase, the sync up to a usable map (reference + reports: the like-for-like comparison with
ogr2ogr, which loads the same 100 000 reports) and the whole pull with the history.

Targets (issue 2): full sync within 1.5 x ogr2ogr (applied to the sync up to a usable map: see
docs/store.md, "Full sync speed"); incremental sync under 1 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ROOT,
    RefServerProcess,
    fmt_mb,
    fmt_seconds,
    print_table,
    qgis_app,
    run_child,
    timed,
    traced_peak,
)

FULL_TARGET = 1.5  # x ogr2ogr
INCREMENTAL_TARGET_S = 1.0


# --------------------------------------------------------------------------- data


def generate(db_path: Path, reports: int, seed: int) -> float:
    """The server database, by the generator in a child process; its wall time."""
    result = run_child(
        [sys.executable, "-m", "server.generate", "--db", str(db_path), "--reports", str(reports), "--seed", str(seed)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise RuntimeError("server.generate failed")
    return result.seconds


def export_geojson(db_path: Path, out: Path) -> int:
    """All reports of the server database as one GeoJSON file, with the attributes the sync stores."""
    from server import db, records

    conn = db.connect(db_path)
    try:
        names = db.service_names(conn)
        count = 0
        with open(out, "w", encoding="utf-8") as f:
            f.write('{"type":"FeatureCollection","features":[\n')
            cursor = conn.execute(f"SELECT {db.REQUEST_COLUMNS} FROM requests ORDER BY id")
            while True:
                rows = cursor.fetchmany(5000)
                if not rows:
                    break
                for record in records.request_records(rows, names, True):
                    props = {k: v for k, v in record.items() if k not in ("lat", "long", "extended_attributes")}
                    ext = record["extended_attributes"]
                    props.update({k: v for k, v in ext.items() if k != "notes"})
                    props["notes"] = json.dumps(ext.get("notes") or [], ensure_ascii=False)
                    feature = {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [record["long"], record["lat"]]},
                        "properties": props,
                    }
                    f.write(("," if count else "") + json.dumps(feature, ensure_ascii=False) + "\n")
                    count += 1
            f.write("]}\n")
    finally:
        conn.close()
    return count


def change_reports(base_url: str, db_path: Path, count: int, skip: int = 0) -> list[str]:
    """``count`` reports awaiting moderation accepted by the moderator (POST servicerequestupdates)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        ids = [
            str(r)
            for (r,) in conn.execute(
                "SELECT id FROM requests WHERE external_status_code = 'for_triage' ORDER BY id LIMIT ? OFFSET ?",
                (count, skip),
            )
        ]
    finally:
        conn.close()
    for rid in ids:
        body = urllib.parse.urlencode(
            {
                "api_key": "moderator-key",
                "service_request_id": rid,
                "update_id": str(uuid.uuid4()),
                "external_status_code": "investigating",
                "description": "Прийнято до розгляду (бенчмарк)",
            }
        ).encode()
        with urllib.request.urlopen(base_url + "servicerequestupdates.json", data=body, timeout=30) as response:
            response.read()
    return ids


# --------------------------------------------------------------------------- our sync


class PhaseFeedback:
    """Notes the wall time since the start at which the reports phase ended (the last progress <= 85),
    a cross-check of ``SyncResult.phase_seconds``."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.reports_done: float | None = None

    def isCanceled(self) -> bool:
        return False

    def setProgress(self, value: float) -> None:
        if value <= 85:
            self.reports_done = time.perf_counter() - self.start


def full_sync(base_url: str, path: Path) -> tuple[Any, PhaseFeedback]:
    from openmisto_plugin.core.open311.client import DEFAULT_CITY_BBOX, Open311Client
    from openmisto_plugin.core.store import GeoPackageStore
    from openmisto_plugin.core.sync import SyncEngine

    feedback = PhaseFeedback()
    store = GeoPackageStore.create(str(path))  # creating the empty workspace counts: ogr2ogr creates its file
    try:
        client = Open311Client(base_url, api_key="moderator-key", expected_bbox=DEFAULT_CITY_BBOX)
        result = SyncEngine(store, client, feedback).pull(full=True)
    finally:
        store.close()
    return result, feedback


def incremental_sync(base_url: str, path: Path) -> Any:
    from openmisto_plugin.core.open311.client import DEFAULT_CITY_BBOX, Open311Client
    from openmisto_plugin.core.store import GeoPackageStore
    from openmisto_plugin.core.sync import SyncEngine

    store = GeoPackageStore.open(str(path))
    try:
        client = Open311Client(base_url, api_key="moderator-key", expected_bbox=DEFAULT_CITY_BBOX)
        return SyncEngine(store, client).pull()
    finally:
        store.close()


def remove_gpkg(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--changes", type=int, default=100, help="reports changed before the incremental sync")
    parser.add_argument("--keep", help="directory to keep the data in (default: a temporary one)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--profile", help="write a cProfile of the timed full sync to this file")
    args, _unknown = parser.parse_known_args(argv)  # run_all.py may pass options meant for other benches

    if shutil.which("ogr2ogr") is None:
        print("ogr2ogr not found (Debian: gdal-bin)")
        return 1
    tmp = None
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-sync-")
        work = Path(tmp.name)
    try:
        return run(args, work)
    finally:
        if tmp is not None:
            tmp.cleanup()


def run(args: argparse.Namespace, work: Path) -> int:
    server_db = work / "server.sqlite"
    if not server_db.exists():
        seconds = generate(server_db, args.reports, args.seed)
        print(f"generated {args.reports} reports (seed {args.seed}) in {seconds:.1f} s: {server_db}", flush=True)
    geojson = work / "reports.geojson"
    seconds, count = timed(lambda: export_geojson(server_db, geojson))
    print(f"exported {count} reports to {geojson.name} ({geojson.stat().st_size / 1e6:.0f} MB) in {seconds:.1f} s")

    baseline_gpkg = work / "ogr2ogr.gpkg"
    remove_gpkg(baseline_gpkg)
    baseline = run_child(["ogr2ogr", "-f", "GPKG", str(baseline_gpkg), str(geojson), "-nln", "reports"])
    if baseline.returncode != 0:
        print("ogr2ogr failed")
        return 1
    print(f"ogr2ogr: {baseline.seconds:.2f} s, peak {fmt_mb(baseline.maxrss_bytes)}", flush=True)

    app = qgis_app()
    with RefServerProcess(server_db, work / "server.log") as server:
        workspace = work / "workspace.gpkg"
        remove_gpkg(workspace)
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        full_s, (full, phases) = timed(lambda: full_sync(server.base_url, workspace))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
            print(f"profile of the full sync: {args.profile}")
        print(
            f"full sync: {full_s:.2f} s ({full.new} new, {len(full.skipped)} skipped, {full.pages} pages,"
            f" {full.history} history entries); phases: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in full.phase_seconds.items())
            + (f"; last reports progress at {phases.reports_done:.2f} s" if phases.reports_done else ""),
            flush=True,
        )
        full_peak = None
        if not args.no_memory:
            spare = work / "workspace-memory.gpkg"
            remove_gpkg(spare)
            full_peak, _ = traced_peak(lambda: full_sync(server.base_url, spare))
            remove_gpkg(spare)

        change_reports(server.base_url, server_db, args.changes)
        incr_s, incr = timed(lambda: incremental_sync(server.base_url, workspace))
        print(f"incremental sync: {incr_s:.3f} s ({incr.new} new, {incr.updated} updated, {incr.unchanged} unchanged)")
        incr_peak = None
        if not args.no_memory:
            change_reports(server.base_url, server_db, args.changes, skip=args.changes)
            incr_peak, _ = traced_peak(lambda: incremental_sync(server.base_url, workspace))
    del app

    base = baseline.seconds
    phase = full.phase_seconds
    history_s = phase.get("history")
    # the timed call minus the history phase: workspace creation, reference data, reports, index build
    usable_s = full_s - (history_s or 0.0)
    rows = [
        ("ogr2ogr GeoJSON -> GPKG (baseline)", fmt_seconds(base), fmt_mb(baseline.maxrss_bytes), "1.00", "", ""),
        (
            "full sync to a usable map (TARGET)",
            fmt_seconds(usable_s),
            "",
            f"{usable_s / base:.2f}",
            f"<= {FULL_TARGET}",
            "yes" if usable_s <= FULL_TARGET * base else "NO",
        ),
        ("  reference data", fmt_seconds(phase.get("reference")), "", "", "", ""),
        ("  reports (pages + indexes)", fmt_seconds(phase.get("reports")), "", "", "", ""),
        (
            f"history phase ({full.history} entries)",
            fmt_seconds(history_s),
            "",
            f"{history_s / base:.2f}" if history_s else "—",
            "",
            "",
        ),
        (
            "full sync total (reports + history)",
            fmt_seconds(full_s),
            fmt_mb(full_peak),
            f"{full_s / base:.2f}",
            "",
            "",
        ),
        (
            f"incremental sync ({args.changes} changed)",
            fmt_seconds(incr_s),
            fmt_mb(incr_peak),
            f"{incr_s / base:.2f}",
            f"< {INCREMENTAL_TARGET_S:g} s",
            "yes" if incr_s < INCREMENTAL_TARGET_S else "NO",
        ),
    ]
    print_table(
        ("sync", "time", "peak memory", "x ogr2ogr", "target", "met"),
        rows,
        title=f"Sync of {count} reports (peak memory: ogr2ogr ru_maxrss; ours tracemalloc)",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
