"""The monthly report dialog and ``openmisto:monthlyreport`` run one path, and the dialog's public atlas draws the
reports over the whole city (issue 11, item 3: every map had collapsed to one spot).

A page of the dialog's public PDF is rendered with ``pdftoppm``; inside each map frame of the layout, the coloured
pixels (points by status, the heat map) must spread over the frame, not sit in one blob.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QImage

from openmisto_plugin.core.atlas import layout as atlas_layout
from openmisto_plugin.core.monthly_report import MonthlyReportRequest, make_monthly_report, resolve_period
from openmisto_plugin.core.stats import Period
from tests.test_atlas import PERIOD, pdf_pages

PDFTOPPM = shutil.which("pdftoppm")
pytestmark = pytest.mark.skipif(not (PDFTOPPM and shutil.which("pdftotext")), reason="poppler-utils is missing")
DPI = 60
KEEP = False  # the PDF only (the layouts in the project are tested in test_atlas)


def _run_dialog(workspace: Path, pdf: Path, public: bool) -> None:
    from openmisto_plugin.gui.monthly_report_dialog import MonthlyReportDialog

    dialog = MonthlyReportDialog(str(workspace))
    dialog.any_dates.setChecked(True)
    dialog.first.setDate(PERIOD.first_day)
    dialog.last.setDate(PERIOD.last_day)
    dialog.version.setCurrentIndex(dialog.version.findData(public))
    dialog.pdf[1].setText(str(pdf))
    dialog.open_pdf.setChecked(False)
    dialog.add_layouts.setChecked(KEEP)
    outcomes = []
    dialog.start()
    dialog.task.done.connect(outcomes.append)
    deadline = time.monotonic() + 180
    while not outcomes and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)
    assert outcomes and outcomes[0].ok, outcomes and outcomes[0].error


def _frames_px() -> dict[str, tuple[int, int, int, int]]:
    """The frames of the templates' map items, in pixels of a page rendered at :data:`DPI`."""
    project = QgsProject()  # kept alive while its layouts are read
    cover, group = atlas_layout.load_layouts(project)
    scale = DPI / 25.4
    frames = {}
    for layout, item_id in ((cover, "om_map_status"), (cover, "om_map_heat"), (group, "om_map_group")):
        box = atlas_layout._find(layout, item_id).sceneBoundingRect()  # millimetres
        frames[item_id] = (
            int(box.left() * scale) + 2,
            int(box.top() * scale) + 2,
            int(box.right() * scale) - 2,
            int(box.bottom() * scale) - 2,
        )
    del cover, group
    return frames


def _spread(png: Path, frame: tuple[int, int, int, int]) -> tuple[float, float, float]:
    """(width share, height share, share of 8×8 cells) of the frame that hold drawn reports (coloured pixels)."""
    image = QImage(str(png))
    x0, y0, x1, y1 = frame
    xs, ys, cells = [], [], set()
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = image.pixelColor(x, y)
            r, g, b = c.red(), c.green(), c.blue()
            # a saturated colour (points, heat), or a warm tint (pale grid cells); not the background, not the
            # districts' bluish-grey outlines and labels
            if max(r, g, b) - min(r, g, b) > 60 or r - b > 12:
                xs.append(x)
                ys.append(y)
                cells.add((8 * (x - x0) // (x1 - x0), 8 * (y - y0) // (y1 - y0)))
    if not xs:
        return 0.0, 0.0, 0.0
    return (max(xs) - min(xs)) / (x1 - x0), (max(ys) - min(ys)) / (y1 - y0), len(cells) / 64


def _page(pdf: Path, number: int, name: str) -> Path:
    base = pdf.with_name(name)
    subprocess.run(
        [PDFTOPPM, "-r", str(DPI), "-f", str(number), "-l", str(number), "-singlefile", "-png", str(pdf), str(base)],
        check=True,
    )
    return base.with_suffix(".png")


def test_dialogs_public_atlas_draws_the_reports_over_the_city(qgis_new_project, atlas_workspace, tmp_path):
    pdf = tmp_path / "public.pdf"
    _run_dialog(atlas_workspace.path, pdf, public=True)
    frames = _frames_px()
    cover = _page(pdf, 1, "cover")
    for item_id in ("om_map_status", "om_map_heat"):
        width, height, cells = _spread(cover, frames[item_id])
        assert width > 0.5 and height > 0.5 and cells > 0.25, (item_id, width, height, cells)
    group = _page(pdf, 2, "group")
    width, height, cells = _spread(group, frames["om_map_group"])
    assert cells > 0.05 and (width > 0.3 or height > 0.3), (width, height, cells)


def test_dialog_and_algorithm_make_the_same_atlas(qgis_new_project, openmisto_provider, atlas_workspace, tmp_path):
    from qgis import processing

    dialog_pdf = tmp_path / "dialog.pdf"
    _run_dialog(atlas_workspace.path, dialog_pdf, public=True)
    algorithm_pdf = tmp_path / "algorithm.pdf"
    processing.run(
        "openmisto:monthlyreport",
        {
            "WORKSPACE": str(atlas_workspace.path),
            "PERIOD_START": PERIOD.first_day.isoformat(),
            "PERIOD_END": PERIOD.last_day.isoformat(),
            "PUBLIC": True,
            "OUTPUT": str(algorithm_pdf),
        },
    )

    def comparable(pdf: Path) -> list[str]:
        return [" ".join(line for line in page.split() if ":" not in line) for page in pdf_pages(pdf)]

    assert comparable(dialog_pdf) == comparable(algorithm_pdf)


def test_one_request_one_function(atlas_workspace, tmp_path):
    request = MonthlyReportRequest(str(atlas_workspace.path), PERIOD, str(tmp_path / "a.pdf"), public=True)
    assert make_monthly_report(request).pages >= 2
    with pytest.raises(FileNotFoundError):
        make_monthly_report(MonthlyReportRequest(str(tmp_path / "none.gpkg"), PERIOD, str(tmp_path / "b.pdf")))


def test_resolve_period() -> None:
    assert resolve_period(date(2026, 11, 1)) == Period.month(2026, 11)
    assert resolve_period(date(2026, 11, 1), date(2026, 11, 30)) == Period.month(2026, 11)
    assert resolve_period(date(2026, 11, 5), date(2026, 11, 9)) == Period.days(date(2026, 11, 5), date(2026, 11, 9))
    assert resolve_period(None, today=date(2026, 12, 6)) == Period.month(2026, 12)
    with pytest.raises(ValueError):
        resolve_period(date(2026, 11, 9), date(2026, 11, 5))
