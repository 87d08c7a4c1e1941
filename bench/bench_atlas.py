"""Benchmark: the monthly atlas of a 100 000-report city with 12 departments.

    .venv/bin/python bench/bench_atlas.py [--reports 100000] [--rounds 3] [--profile out.prof]

Times :func:`core.atlas.build.build_atlas` (read the workspace, the figures of the period and the previous
one, the overdue lists, the layers, the PDF) against a plain QGIS atlas export of the same templates,
the same pages and the same map layers, without our figures (the tables are left empty). Both run in
this process, in rounds that alternate which goes first (a warm-up run of ours comes before, untimed,
so that neither profits alone from warm file and font caches). Prints every round, the medians and our
overhead as the ratio of the medians (target: under 1.2), and where our time goes (reading and
figures, layers and layouts, the PDF). The workspace is made once (the reference server with generated
data, synced by the plugin's engine) and kept in the work folder.

``--profile FILE`` runs ours once more under cProfile after the rounds, writes the stats to FILE and
prints the costliest calls.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET = 1.2


class _Stages:
    """A feedback for build_atlas that notes when each stage ends (by the progress it reports)."""

    # build_atlas reports 30 when the data is ready, 35 when the layers and layouts are, 100 at the end
    MARKS = ((30.0, "read + figures"), (35.0, "layers + layouts"), (100.0, "PDF export"))

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.reached: dict[str, float] = {}

    def isCanceled(self) -> bool:
        return False

    def setProgress(self, value: float) -> None:
        now = time.perf_counter()
        for mark, name in self.MARKS:
            if value >= mark and name not in self.reached:
                self.reached[name] = now

    def split(self, end: float) -> dict[str, float]:
        """Seconds of each stage; the last one runs to ``end`` (the PDF is finished after the last page)."""
        out, last = {}, self.start
        for _mark, name in self.MARKS:
            at = end if name == self.MARKS[-1][1] else self.reached.get(name, end)
            out[name] = at - last
            last = at
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20231)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of both exports (default 3)")
    parser.add_argument("--profile", type=Path, help="profile one more run of ours into this file")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench" / "atlas")
    args = parser.parse_args(argv)

    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject

    app = QgsApplication([], False)
    app.initQgis()
    from openmisto_plugin.core.atlas import build as atlas_build
    from openmisto_plugin.core.atlas import layers as atlas_layers
    from openmisto_plugin.core.atlas import layout as atlas_layout
    from openmisto_plugin.core.atlas.data import MAP_CRS
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

    def run_ours(feedback: _Stages | None = None):
        started = time.perf_counter()
        result = atlas_build.build_atlas(
            workspace, period, "department", False, workdir / "ours.pdf", feedback=feedback
        )
        return time.perf_counter() - started, result

    def run_plain(data) -> float:
        """The same templates, pages and map layers, exported by QGIS without our figures and lists."""
        project = QgsProject()
        project.setCrs(QgsCoordinateReferenceSystem(MAP_CRS))
        cover, group = atlas_layout.load_layouts(project)
        layers = atlas_layers.make_layers(data, workspace)
        project.addMapLayers(layers.all(), False)
        atlas_layout.fill_cover(cover, data, layers, data.now)
        atlas_layout.fill_group(group, data, layers, data.now)
        for layout in (cover, group):
            for frame in list(layout.multiFrames()):
                layout.removeMultiFrame(frame)
        started = time.perf_counter()
        atlas_layout.export_pdf(cover, group, workdir / "plain.pdf")
        return time.perf_counter() - started

    print("warm-up run of ours (untimed)…", flush=True)
    _seconds, result = run_ours()
    data = result.data
    ours_times: list[float] = []
    plain_times: list[float] = []
    splits: list[dict[str, float]] = []
    for round_no in range(1, args.rounds + 1):
        order = ("ours", "plain") if round_no % 2 else ("plain", "ours")
        for which in order:
            if which == "ours":
                stages = _Stages()
                seconds, result = run_ours(stages)
                splits.append(stages.split(stages.start + seconds))
                ours_times.append(seconds)
            else:
                plain_times.append(run_plain(data))
        print(
            f"round {round_no} ({' then '.join(order)}): ours {ours_times[-1]:6.2f} s, plain {plain_times[-1]:6.2f} s,"
            f" ratio {ours_times[-1] / plain_times[-1]:.3f}",
            flush=True,
        )

    def pages(path: Path) -> str:
        try:
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
            return next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        except (OSError, subprocess.CalledProcessError, StopIteration):
            return "?"

    data = result.data
    city = data.figure_set.city.current
    ours = statistics.median(ours_times)
    plain = statistics.median(plain_times)
    ratio = ours / plain if plain else float("inf")
    split = {name: statistics.median(s[name] for s in splits) for name in splits[0]}
    print(f"reports in the workspace : {args.reports}")
    print(f"departments (pages)      : {len(data.groups)} groups, {result.pages} pages (PDF: {pages(result.pdf)})")
    print(f"period                   : {period.label()}  received {city.received}, overdue {city.overdue}")
    print(f"our atlas (median of {len(ours_times)})  : {ours:7.2f} s  ({workdir / 'ours.pdf'})")
    print("  of which               : " + ", ".join(f"{name} {value:.2f} s" for name, value in split.items()))
    print(f"plain QGIS export        : {plain:7.2f} s  ({workdir / 'plain.pdf'}, pages {pages(workdir / 'plain.pdf')})")
    print(f"overhead ratio           : {ratio:7.2f}  (target < {TARGET})  {'OK' if ratio < TARGET else 'OVER TARGET'}")
    print(f"  per round              : {', '.join(f'{o / p:.3f}' for o, p in zip(ours_times, plain_times))}")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        run_ours()
        profiler.disable()
        args.profile.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(args.profile))
        print(f"\nprofile of one run of ours: {args.profile}")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"openmisto_plugin", 30)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
