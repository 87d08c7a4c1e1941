"""The atlas printed a page per turn of the event loop (core/atlas/printer.py): the same pages as QGIS's own
PDF export of the same layouts, QGIS's event loop turning between the pages, Cancel stopping it (issue 12).

The reference is ``QgsLayoutExporter.exportToPdf`` (the cover, then the atlas) on the layouts the printer
prints: the same words on every page, and page images that differ only in anti-aliasing.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from qgis.core import QgsFeedback, QgsLayoutExporter
from qgis.PyQt.QtCore import QCoreApplication, QTimer
from qgis.PyQt.QtGui import QImage

from openmisto_plugin.core.atlas import build as atlas_build
from openmisto_plugin.core.atlas import layout as atlas_layout
from openmisto_plugin.core.atlas.data import AtlasCanceled
from openmisto_plugin.core.monthly_report import (
    MonthlyReportRequest,
    layer_features,
    layout_rows,
    prepare_monthly_report,
    start_monthly_report,
)
from tests.test_atlas import PERIOD, pdf_pages

PDFTOPPM = shutil.which("pdftoppm")
pytestmark = pytest.mark.skipif(not (PDFTOPPM and shutil.which("pdftotext")), reason="poppler-utils is missing")
DPI = 50


def _request(workspace: Path, pdf: Path, public: bool = False) -> MonthlyReportRequest:
    return MonthlyReportRequest(str(workspace), PERIOD, str(pdf), public=public, aggregate_cells=public)


def _print_in_steps(request: MonthlyReportRequest, feedback: QgsFeedback | None = None, on_turn=None):
    """``start_monthly_report`` to its end; (result, error, turns of the event loop meanwhile)."""
    data = prepare_monthly_report(request, layout_rows(request))
    ended: list = []
    turns = [0]

    def turn() -> None:
        turns[0] += 1
        if on_turn is not None:
            on_turn()

    timer = QTimer()
    timer.setInterval(0)  # fires on every turn of the event loop that has time for it
    timer.timeout.connect(turn)
    timer.start()
    start_monthly_report(
        request, data, feedback, lambda result, error: ended.append((result, error)), layer_features(data)
    )
    deadline = time.monotonic() + 180
    while not ended and time.monotonic() < deadline:
        QCoreApplication.processEvents()
    timer.stop()
    assert ended, "the printing did not end"
    return (*ended[0], turns[0])


def _reference_pdfs(request: MonthlyReportRequest, directory: Path) -> tuple[Path, Path]:
    """QGIS's own export of the same filled layouts: the cover, and the atlas pages."""
    data = prepare_monthly_report(request, layout_rows(request))
    job = atlas_build.open_print(data, request.workspace, directory / "unused.pdf")
    cover, group = job.layouts
    settings = atlas_layout.pdf_settings()
    cover_pdf, atlas_pdf = directory / "qgis-cover.pdf", directory / "qgis-atlas.pdf"
    assert QgsLayoutExporter(cover).exportToPdf(str(cover_pdf), settings) == QgsLayoutExporter.Success
    result, error = QgsLayoutExporter.exportToPdf(group.atlas(), str(atlas_pdf), settings)
    assert result == QgsLayoutExporter.Success, error
    return cover_pdf, atlas_pdf


def _words(page: str) -> list[str]:
    """A page's words, without the "Made: <time>" line (the two PDFs are made minutes apart)."""
    return [word for line in page.splitlines() if ":" not in line for word in line.split()]


def _page_png(pdf: Path, number: int, name: str) -> QImage:
    base = pdf.with_name(name)
    subprocess.run(
        [PDFTOPPM, "-r", str(DPI), "-f", str(number), "-l", str(number), "-singlefile", "-png", str(pdf), str(base)],
        check=True,
    )
    image = QImage(str(base.with_suffix(".png")))
    assert not image.isNull()
    return image


def _differing_share(a: QImage, b: QImage) -> float:
    """Share of pixels whose colour differs by more than 60 (of 255) in a channel."""
    assert (a.width(), a.height()) == (b.width(), b.height())
    differing = total = 0
    for y in range(0, a.height(), 2):
        for x in range(0, a.width(), 2):
            ca, cb = a.pixelColor(x, y), b.pixelColor(x, y)
            total += 1
            if max(abs(ca.red() - cb.red()), abs(ca.green() - cb.green()), abs(ca.blue() - cb.blue())) > 60:
                differing += 1
    return differing / total


@pytest.mark.parametrize("public", [False, True], ids=["internal", "public"])
def test_pages_printed_in_steps_are_qgis_own_export(atlas_workspace, tmp_path, public) -> None:
    request = _request(atlas_workspace.path, tmp_path / "steps.pdf", public)
    result, error, turns = _print_in_steps(request)
    assert error is None, error
    pages = pdf_pages(tmp_path / "steps.pdf")
    assert result.pages == len(pages) >= 3
    assert turns > len(pages)  # QGIS's event loop turned between the pages: it kept answering

    cover_pdf, atlas_pdf = _reference_pdfs(request, tmp_path)
    reference = pdf_pages(cover_pdf) + pdf_pages(atlas_pdf)
    assert [_words(p) for p in pages] == [_words(p) for p in reference]
    for number, (pdf, page) in enumerate(((cover_pdf, 1), (atlas_pdf, 1), (atlas_pdf, 2)), start=1):
        ours = _page_png(tmp_path / "steps.pdf", number, f"ours-{number}")
        theirs = _page_png(pdf, page, f"theirs-{number}")
        assert _differing_share(ours, theirs) < 0.01, number


def test_cancel_stops_the_printing_and_leaves_no_pdf(atlas_workspace, tmp_path) -> None:
    pdf = tmp_path / "canceled.pdf"
    feedback = QgsFeedback()
    progress: list[float] = []
    feedback.progressChanged.connect(progress.append)

    def cancel_once_printing() -> None:
        if progress and progress[-1] > 40 and not feedback.isCanceled():  # a page or more is printed
            feedback.cancel()

    result, error, _turns = _print_in_steps(_request(atlas_workspace.path, pdf), feedback, cancel_once_printing)
    assert result is None and isinstance(error, AtlasCanceled)
    assert max(progress) < 100
    assert not pdf.exists()


def test_dialogs_cancel_stops_the_task_while_it_prints(qgis_new_project, atlas_workspace, tmp_path) -> None:
    from openmisto_plugin.gui.monthly_report_dialog import MonthlyReportDialog

    dialog = MonthlyReportDialog(str(atlas_workspace.path))
    dialog.any_dates.setChecked(True)
    dialog.first.setDate(PERIOD.first_day)
    dialog.last.setDate(PERIOD.last_day)
    dialog.pdf[1].setText(str(tmp_path / "dialog.pdf"))
    dialog.open_pdf.setChecked(False)
    dialog.add_layouts.setChecked(False)
    outcomes = []
    dialog.start()
    task = dialog.task
    task.done.connect(outcomes.append)
    deadline = time.monotonic() + 120
    while not outcomes and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        if task.progress() > 40 and not task.isCanceled():  # printing: the figures were ready at 30 %
            task.cancel()
    assert outcomes and not outcomes[0].ok and outcomes[0].canceled, outcomes and outcomes[0].error
    deadline = time.monotonic() + 10
    while (tmp_path / "dialog.pdf").exists() and time.monotonic() < deadline:  # the printer stops at its next step
        QCoreApplication.processEvents()
    assert not (tmp_path / "dialog.pdf").exists()
