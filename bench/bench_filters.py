"""Filter speed on a generated city: ours (core/filters/) against QGIS's ``native:extractbylocation``.

Usage: ``.venv/bin/python bench/bench_filters.py [--reports 100000] [--seed 7] [--repeat 5] [--workspace PATH]``

The workspace is built with the reference generator and the store (or reused with ``--workspace`` when
the file exists). Both sides run in this process on the same GeoPackage: a district, and a distance
from a line (QGIS: the line buffered in UTM 36N by ``native:buffer`` beforehand, not timed, then
``extractbylocation``). Times are medians; the ratio is ours / QGIS (target: <= 1).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for plugins in ("/usr/share/qgis/python/plugins", "/usr/lib/qgis/python/plugins"):
    if Path(plugins).is_dir() and plugins not in sys.path:
        sys.path.append(plugins)

from qgis.core import Qgis, QgsApplication, QgsVectorLayer  # noqa: E402

DISTRICT = "tsentralnyi"
STREET_WKT = "LINESTRING(34.090 47.640, 34.108 47.652, 34.121 47.655, 34.140 47.650)"
DISTANCE_M = 150.0


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``fn`` over ``repeat`` runs (after one warm-up) and its last value."""
    value = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workspace", help="GeoPackage to use (built there when missing)")
    args = parser.parse_args(argv)

    app = QgsApplication([], False)
    app.initQgis()
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()

    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.map_layer import apply_to_layer, clear_layer_filter
    from openmisto_plugin.core.filters.model import ReportFilter
    from tests.test_filters import build_workspace

    tmp = None
    if args.workspace:
        path = Path(args.workspace)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-filters-")
        path = Path(tmp.name) / "workspace.gpkg"
    if not path.exists():
        start = time.perf_counter()
        build_workspace(path, reports=args.reports, seed=args.seed)
        print(f"built {path} with {args.reports} reports in {time.perf_counter() - start:.1f} s")

    reports = QgsVectorLayer(f"{path}|layername=reports", "reports", "ogr")
    total = reports.featureCount()
    print(f"workspace: {path} ({total} reports), QGIS {Qgis.QGIS_VERSION}")

    # QGIS inputs, prepared outside the timing.
    district_layer = QgsVectorLayer(f"{path}|layername=districts|subset=\"code\" = '{DISTRICT}'", "district", "ogr")
    line = QgsVectorLayer("LineString?crs=EPSG:4326", "street", "memory")
    from qgis.core import QgsFeature, QgsGeometry

    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromWkt(STREET_WKT))
    line.dataProvider().addFeatures([feature])
    utm = processing.run("native:reprojectlayer", {"INPUT": line, "TARGET_CRS": "EPSG:32636", "OUTPUT": "memory:"})
    buffer = processing.run(
        "native:buffer",
        {"INPUT": utm["OUTPUT"], "DISTANCE": DISTANCE_M, "SEGMENTS": 16, "DISSOLVE": True, "OUTPUT": "memory:"},
    )["OUTPUT"]

    def qgis_extract(intersect: QgsVectorLayer) -> Callable[[], int]:
        def run() -> int:
            out = processing.run(
                "native:extractbylocation",
                {"INPUT": reports, "PREDICATE": [0], "INTERSECT": intersect, "OUTPUT": "memory:"},
            )["OUTPUT"]
            return out.featureCount()

        return run

    def ours(flt: ReportFilter) -> Callable[[], int]:
        return lambda: evaluate(flt, str(path)).count

    map_layer = QgsVectorLayer(f"{path}|layername=reports", "reports on the map", "ogr")

    def ours_applied(flt: ReportFilter) -> Callable[[], int]:
        def run() -> int:
            result = evaluate(flt, map_layer)
            apply_to_layer(map_layer, result)
            count = map_layer.featureCount()
            clear_layer_filter(map_layer)
            return count

        return run

    cases = [
        (f"district {DISTRICT}", ReportFilter(districts=[DISTRICT]), district_layer),
        (
            f"within {DISTANCE_M:.0f} m of a street",
            ReportFilter(near_wkts=[STREET_WKT], near_crs="EPSG:4326", distance_m=DISTANCE_M),
            buffer,
        ),
    ]
    print(f"{'case':32} {'ours s':>8} {'+apply s':>9} {'QGIS s':>8} {'ratio':>6}  counts (ours / QGIS)")
    worst = 0.0
    for label, flt, intersect in cases:
        t_ours, n_ours = median_time(ours(flt), args.repeat)
        t_apply, n_apply = median_time(ours_applied(flt), args.repeat)
        t_qgis, n_qgis = median_time(qgis_extract(intersect), args.repeat)
        ratio = t_ours / t_qgis
        worst = max(worst, t_apply / t_qgis)
        print(f"{label:32} {t_ours:8.3f} {t_apply:9.3f} {t_qgis:8.3f} {ratio:6.2f}  {n_ours} / {n_qgis}")
        assert n_apply == n_ours

    t_attr, n_attr = median_time(ours(ReportFilter(statuses=["in_progress", "planned"], text="вул")), args.repeat)
    print(f"{'attributes only (status + text)':32} {t_attr:8.3f} {'':9} {'':8} {'':6}  {n_attr}")
    print(f"ours incl. applying to the layer / QGIS, worst case: {worst:.2f} (target <= 1)")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
