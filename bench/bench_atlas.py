"""Benchmark: the monthly atlas of a 100 000-report city with 12 departments.

    .venv/bin/python bench/bench_atlas.py [--reports 100000] [--workdir build/bench/atlas]

Times :func:`core.reports.build_atlas` (read the workspace, the figures of the period and the previous
one, the overdue lists, the layers, the PDF) against a plain QGIS atlas export of the same templates,
the same pages and the same map layers, without our figures (the tables are left empty). Prints both
and our overhead as a ratio (target: under 1.2). The workspace is made once (the reference server with
generated data, synced by the plugin's engine) and kept in the work folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET = 1.2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20231)
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench" / "atlas")
    args = parser.parse_args(argv)

    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject

    app = QgsApplication([], False)
    app.initQgis()
    from openmisto_plugin.core import reports
    from openmisto_plugin.core.atlas_data import MAP_CRS
    from openmisto_plugin.core.stats import Period
    from openmisto_plugin.core.timeutil import KYIV
    from tests.fixtures_atlas import build_workspace

    workdir = args.workdir / f"{args.reports}"
    workspace = workdir / "workspace.gpkg"
    if not workspace.exists():
        print(f"Making a workspace of {args.reports} reports in {workdir} (once)…", flush=True)
        started = time.perf_counter()
        build_workspace(workdir, reports=args.reports, seed=args.seed)
        print(f"  made in {time.perf_counter() - started:.1f} s", flush=True)

    from datetime import datetime

    today = datetime.now(KYIV).date()
    period = Period.month(today.year, today.month)

    # ours: everything the user waits for
    started = time.perf_counter()
    result = reports.build_atlas(workspace, period, "department", False, workdir / "ours.pdf")
    ours = time.perf_counter() - started

    # plain: the same templates, pages and map layers, exported by QGIS without our figures and lists
    data = result.data
    project = QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem(MAP_CRS))
    cover, group = reports.load_layouts(project)
    layers = reports.make_layers(data, workspace)
    project.addMapLayers(layers.all(), False)
    reports.fill_cover(cover, data, layers, data.now)
    reports.fill_group(group, data, layers, data.now)
    for layout in (cover, group):
        for frame in list(layout.multiFrames()):
            layout.removeMultiFrame(frame)
    started = time.perf_counter()
    reports.export_pdf(cover, group, workdir / "plain.pdf")
    plain = time.perf_counter() - started

    def pages(path: Path) -> str:
        try:
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
            return next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        except (OSError, subprocess.CalledProcessError, StopIteration):
            return "?"

    city = data.figure_set.city.current
    ratio = ours / plain if plain else float("inf")
    print(f"reports in the workspace : {args.reports}")
    print(f"departments (pages)      : {len(data.groups)} groups, {result.pages} pages (PDF: {pages(result.pdf)})")
    print(f"period                   : {period.label()}  received {city.received}, overdue {city.overdue}")
    print(f"our atlas                : {ours:7.2f} s  ({workdir / 'ours.pdf'})")
    print(f"plain QGIS atlas export  : {plain:7.2f} s  ({workdir / 'plain.pdf'}, pages {pages(workdir / 'plain.pdf')})")
    print(f"overhead ratio           : {ratio:7.2f}  (target < {TARGET})  {'OK' if ratio < TARGET else 'OVER TARGET'}")
    app.exitQgis()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
