"""Print the atlas's layouts into one PDF while QGIS keeps answering.

``QgsLayoutExporter.exportToPdf`` paints every page and every map in the calling (main) thread: seconds in
which QGIS cannot answer. :class:`AtlasPrinter` splits the job so that the main thread only ever does short
steps, and never lets the layout out of it (a layout is a graphics scene; printing one in a worker thread
corrupted memory):

1. main thread: show the next page (the atlas's feature) and start its maps' renderer jobs: QGIS's own
   :class:`QgsMapRendererCustomPainterJob`, which renders in its worker thread (as the map canvas and the layout
   designer's preview do) into a :class:`QPicture`: vector paint commands, so the maps keep vector points and
   real text;
2. main thread, when they are done: record the page without its maps (``QgsLayoutExporter.renderPage``) into a
   QPicture, note where each map sits, hand the page to the writer;
3. the writer thread plays the pictures into the :class:`QPdfWriter` (the PDF's encoding and compression): the
   page, then each map's background, picture and frame where its item sits.

The layout's render context is set as ``exportToPdf`` sets it (:func:`use_pdf_settings`), so the pages are the
same as its. :meth:`AtlasPrinter.start` runs the steps from the event loop (the dialog);
:meth:`AtlasPrinter.run` runs them all now in the calling thread (Processing, tests).
"""

from __future__ import annotations

import logging
import queue
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsLayout,
    QgsLayoutExporter,
    QgsLayoutItemMap,
    QgsLayoutRenderContext,
    QgsMapRendererCustomPainterJob,
    QgsPrintLayout,
    QgsVectorSimplifyMethod,
)
from qgis.PyQt.QtCore import (
    QCoreApplication,
    QMarginsF,
    QObject,
    QPointF,
    QRect,
    QRectF,
    QSizeF,
    Qt,
    QThread,
    QTimer,
    pyqtSignal,
)
from qgis.PyQt.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen, QPicture

from ..qgis_compat import EXCLUDE_FROM_EXPORTS, LAYOUT_MILLIMETERS
from .data import AtlasCanceled

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4


def use_pdf_settings(layout: QgsLayout, settings: QgsLayoutExporter.PdfExportSettings) -> None:
    """Set ``layout``'s render context as ``QgsLayoutExporter.exportToPdf`` does for ``settings``."""
    context = layout.renderContext()
    context.setDpi(settings.dpi)
    context.setFlags(settings.flags)
    context.setFlag(QgsLayoutRenderContext.FlagUseAdvancedEffects, not settings.forceVectorOutput)
    context.setFlag(QgsLayoutRenderContext.FlagForceVectorOutput, settings.forceVectorOutput)
    context.setTextRenderFormat(settings.textRenderFormat)
    if settings.simplifyGeometries:
        method = QgsVectorSimplifyMethod()  # QgsLayoutExporter::createExportSimplifyMethod()
        method.setSimplifyHints(QgsVectorSimplifyMethod.GeometrySimplification)
        method.setForceLocalOptimization(True)
        method.setSimplifyAlgorithm(QgsVectorSimplifyMethod.SnappedToGridGlobal)
        method.setThreshold(0.1)
        context.setSimplifyMethod(method)
    else:
        context.setSimplifyMethod(QgsVectorSimplifyMethod())


@dataclass
class _PlacedMap:
    """A map of a page: what its renderer drew and how its item frames it (millimetres on the page)."""

    picture: QPicture
    rect: QRectF
    background: QColor | None
    frame: QPen | None  # width in millimetres


@dataclass
class _Page:
    """One page for the writer: its size (mm), the page without its maps (in the PDF's dots), its maps."""

    size: QSizeF
    picture: QPicture
    maps: list[_PlacedMap] = field(default_factory=list)


@dataclass
class _MapJob:
    """A map item of the page being shown and its renderer job, drawing into ``picture``."""

    item: QgsLayoutItemMap
    picture: QPicture
    painter: QPainter
    job: QgsMapRendererCustomPainterJob


class AtlasPrinter(QObject):
    """Writes the ``cover`` page and every page of ``group``'s atlas into the PDF ``path``.

    ``feedback``: ``isCanceled()`` and ``setProgress(float)`` (a ``QgsFeedback``'s ``canceled`` signal also stops
    the running map jobs); progress runs over ``span``. :attr:`finished` carries ``None`` (written) or the
    exception (:class:`AtlasCanceled` when canceled); a PDF not written to its end is removed.
    """

    finished = pyqtSignal(object)

    def __init__(
        self,
        cover: QgsLayout,
        group: QgsPrintLayout,
        path: str | Path,
        settings: QgsLayoutExporter.PdfExportSettings,
        feedback: Any = None,
        span: tuple[float, float] = (40.0, 100.0),
    ) -> None:
        super().__init__()
        self._cover = cover
        self._atlas = group.atlas()
        self._group = group
        self._path = str(path)
        self._dpi = float(settings.dpi)
        self._feedback = feedback
        self._span = span
        self._index = 0  # 0: the cover, n: the atlas's page n - 1
        self._count = 0
        self._layout: QgsLayout | None = None  # the layout showing the page being made
        self._jobs: list[_MapJob] = []
        self._waiting = 0
        self._writer: _WriterThread | None = None
        self._error: BaseException | None = None
        self._rendering = False  # between the atlas's beginRender() and endRender()
        self._done = False
        for layout in (cover, group):
            use_pdf_settings(layout, settings)
        canceled = getattr(feedback, "canceled", None)
        if canceled is not None:
            canceled.connect(self.cancel)

    @property
    def pages(self) -> int:
        """Pages made so far."""
        return self._index

    # -- the steps (main thread)
    def _canceled(self) -> bool:
        return self._feedback is not None and self._feedback.isCanceled()

    def _progress(self, pages: float) -> None:
        if self._feedback is not None:
            lo, hi = self._span
            self._feedback.setProgress(lo + (hi - lo) * pages / max(1, self._count))

    def _show(self) -> None:
        """Make the layout of the next page show it, and start its maps' renderer jobs' (:attr:`_jobs`)."""
        if self._index == 0:
            if not self._atlas.beginRender():
                raise OSError("the atlas cannot start")
            self._rendering = True
            self._count = 1 + self._atlas.count()
            self._layout = self._cover
        elif self._atlas.seekTo(self._index - 1):
            self._layout = self._group
        else:
            raise OSError(f"the atlas cannot show page {self._index + 1}")
        dots_per_mm = self._dpi / MM_PER_INCH
        for item in self._layout.items():
            if not isinstance(item, QgsLayoutItemMap) or not _printed(item):
                continue
            extent = item.extent()
            units = item.mapUnitsToLayoutUnits()
            size = QSizeF(extent.width() * units * dots_per_mm, extent.height() * units * dots_per_mm)
            picture = QPicture()
            painter = QPainter(picture)
            job = QgsMapRendererCustomPainterJob(item.mapSettings(extent, size, self._dpi, True), painter)
            self._jobs.append(_MapJob(item, picture, painter, job))

    def _record(self) -> _Page:
        """The page being shown, its maps drawn (all their jobs have finished), ready for the writer."""
        layout = self._layout
        page_item = layout.pageCollection().page(0)
        size = layout.renderContext().measurementConverter().convert(page_item.pageSize(), LAYOUT_MILLIMETERS)
        dots_per_mm = self._dpi / MM_PER_INCH
        page = _Page(QSizeF(size.width(), size.height()), QPicture())
        page.picture.setBoundingRect(QRect(0, 0, round(size.width() * dots_per_mm), round(size.height() * dots_per_mm)))
        for drawn in self._jobs:
            drawn.painter.end()
            drawn.item.setVisibility(False)
            page.maps.append(_placed(drawn))
        painter = QPainter(page.picture)
        try:
            QgsLayoutExporter(layout).renderPage(painter, 0)
        finally:
            painter.end()
            for drawn in self._jobs:
                drawn.item.setVisibility(True)
        self._jobs = []
        self._index += 1
        return page

    def _close_jobs(self) -> None:
        for drawn in self._jobs:
            if drawn.job.isActive():
                drawn.job.cancel()  # waits for its thread: the picture is not painted on after this
            if drawn.painter.isActive():
                drawn.painter.end()
        self._jobs = []

    def _end_atlas(self) -> None:
        if self._rendering:
            self._rendering = False
            self._atlas.endRender()

    # -- all now, in the calling thread
    def run(self) -> None:
        """Print every page now (blocking); raises :class:`AtlasCanceled` or ``OSError``."""
        pdf = _Pdf(self._path, self._dpi)
        complete = False
        try:
            while self._index == 0 or self._index < self._count:
                if self._canceled():
                    raise AtlasCanceled()
                self._show()
                for drawn in self._jobs:
                    drawn.job.renderSynchronously()
                pdf.write(self._record())
                self._progress(self._index)
            pdf.close()
            complete = True
        finally:
            self._close_jobs()
            self._end_atlas()
            if not complete:
                pdf.discard()

    # -- step by step from the event loop
    def start(self) -> None:
        """Print from the event loop, a few short steps per page; :attr:`finished` tells the end."""
        self._writer = _WriterThread(_Pdf(self._path, self._dpi))
        self._writer.written.connect(self._progress)
        self._writer.finished.connect(self._writer_finished)
        self._writer.start()
        QCoreApplication.instance().aboutToQuit.connect(self._quit)
        QTimer.singleShot(0, self._next)

    def _quit(self) -> None:
        """QGIS quits while printing: stop, and let the writer thread end before its QThread goes."""
        if self._writer is None:
            return
        if not self._done:
            self._fail(AtlasCanceled())
        self._writer.wait(10_000)

    def cancel(self) -> None:
        """Stop soon: the running map jobs are told to stop; :attr:`finished` gets :class:`AtlasCanceled`."""
        for drawn in self._jobs:
            if drawn.job.isActive():
                drawn.job.cancelWithoutBlocking()

    def _next(self) -> None:
        if self._done:
            return
        try:
            if self._canceled():
                raise AtlasCanceled()
            if self._index > 0 and self._index >= self._count:
                self._end_atlas()
                self._writer.put(None)  # the end: the writer closes the PDF, then finished
                return
            self._show()
            self._waiting = len(self._jobs)
            if not self._jobs:
                QTimer.singleShot(0, self._hand_over)  # the page's text in its own step
                return
            for drawn in self._jobs:
                drawn.job.finished.connect(self._job_finished)
                drawn.job.start()
        except Exception as exc:  # noqa: BLE001 - handed to the caller through finished
            self._fail(exc)

    def _job_finished(self) -> None:
        self._waiting -= 1
        if self._waiting <= 0 and not self._done:
            QTimer.singleShot(0, self._hand_over)

    def _hand_over(self) -> None:
        """Record the shown page and hand it to the writer; then the next page."""
        if self._done:
            return
        try:
            if self._canceled():
                raise AtlasCanceled()
            self._writer.put(self._record())
        except Exception as exc:  # noqa: BLE001 - handed to the caller through finished
            self._fail(exc)
            return
        QTimer.singleShot(0, self._next)

    def _fail(self, error: BaseException) -> None:
        """Stop making pages; :attr:`finished` follows when the writer has stopped and removed the PDF."""
        self._done = True
        self._error = error
        self._close_jobs()
        self._end_atlas()
        self._writer.stop()

    def _writer_finished(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        writer.wait()  # it has left run(): the QThread may go
        QCoreApplication.instance().aboutToQuit.disconnect(self._quit)
        self._done = True
        self.finished.emit(self._error or writer.error)


class _Pdf:
    """The PDF being written, a :class:`_Page` at a time (one thread)."""

    def __init__(self, path: str, dpi: float) -> None:
        self.path = path
        self._dpi = dpi
        self._writer: QPdfWriter | None = None
        self._painter: QPainter | None = None

    def write(self, page: _Page) -> None:
        if self._writer is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._writer = QPdfWriter(self.path)
            self._writer.setResolution(int(self._dpi))
        layout = QPageLayout(
            QPageSize(page.size, QPageSize.Unit.Millimeter), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)
        )
        layout.setMode(QPageLayout.Mode.FullPageMode)  # QgsLayoutExporter::updatePrinterPageSize()
        self._writer.setPageLayout(layout)
        if self._painter is None:
            self._painter = QPainter(self._writer)
        elif not self._writer.newPage():
            raise OSError(f"cannot add a page to {self.path}")
        painter = self._painter
        _play(painter, page.picture)
        dots_per_mm = self._dpi / MM_PER_INCH
        for placed in page.maps:
            _draw_map(painter, placed, dots_per_mm)

    def close(self) -> None:
        if self._painter is not None:
            self._painter.end()
        self._painter = None
        self._writer = None

    def discard(self) -> None:
        """Close and remove what was written."""
        if self._painter is not None and self._painter.isActive():
            self._painter.end()
        self._painter = None
        if self._writer is not None:
            self._writer = None
            Path(self.path).unlink(missing_ok=True)


class _WriterThread(QThread):
    """Writes the pages handed to it (:meth:`put`; ``None`` ends the PDF) into a :class:`_Pdf`."""

    written = pyqtSignal(float)  # pages written so far

    def __init__(self, pdf: _Pdf) -> None:
        super().__init__()
        self.pdf = pdf
        self.error: BaseException | None = None
        self._pages: queue.Queue[_Page | None] = queue.Queue()
        self._stopped = False

    def put(self, page: _Page | None) -> None:
        self._pages.put(page)

    def stop(self) -> None:
        """Write no more pages; what was written is removed."""
        self._stopped = True
        self._pages.put(None)

    def run(self) -> None:
        written = 0
        try:
            while True:
                page = self._pages.get()
                if self._stopped:
                    self.pdf.discard()
                    return
                if page is None:
                    self.pdf.close()
                    return
                self.pdf.write(page)
                written += 1
                self.written.emit(float(written))
        except Exception as exc:  # read by the printer when the thread has finished
            log.warning("Cannot write the atlas PDF: %s", exc, exc_info=True)
            self.error = exc
            self.pdf.discard()


def _printed(item: QgsLayoutItemMap) -> bool:
    """Whether the map item appears in the export of the page now shown (visible, not data-defined out)."""
    if not item.isVisible() or item.rect().isEmpty():
        return False
    excluded, ok = item.dataDefinedProperties().valueAsBool(
        EXCLUDE_FROM_EXPORTS, item.createExpressionContext(), item.excludeFromExports()
    )
    return not (excluded if ok else item.excludeFromExports())


def _placed(drawn: _MapJob) -> _PlacedMap:
    """Where and how ``QgsLayoutItemMap::paint`` frames the map of ``drawn`` on the page (rotation 0)."""
    item = drawn.item
    rect = QRectF(item.scenePos(), QSizeF(item.rect().width(), item.rect().height()))
    background = QColor(item.backgroundColor()) if item.hasBackground() else None
    frame = None
    if item.frameEnabled():
        frame = QPen(item.frameStrokeColor())
        frame.setWidthF(item.layout().convertToLayoutUnits(item.frameStrokeWidth()))
        frame.setJoinStyle(item.frameJoinStyle())
    return _PlacedMap(drawn.picture, rect, background, frame)


def _play(painter: QPainter, picture: QPicture) -> None:
    """Play a picture recorded in the device's dots: QPicture scales its commands from its own resolution to the
    device's, which is undone here."""
    painter.save()
    replay = QPicture().logicalDpiX() / painter.device().logicalDpiX()
    painter.scale(replay, replay)
    painter.drawPicture(0, 0, picture)
    painter.restore()


def _draw_map(painter: QPainter, placed: _PlacedMap, dots_per_mm: float) -> None:
    """A map as ``QgsLayoutItemMap::paint`` draws it in an export: background, layers (clipped), frame."""
    rect = QRectF(QPointF(0, 0), placed.rect.size())
    painter.save()
    painter.scale(dots_per_mm, dots_per_mm)
    painter.translate(placed.rect.topLeft())
    if placed.background is not None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(placed.background)
        painter.drawRect(rect)
    painter.save()
    painter.setClipRect(rect)
    painter.scale(1 / dots_per_mm, 1 / dots_per_mm)
    _play(painter, placed.picture)
    painter.restore()
    if placed.frame is not None:
        painter.setPen(placed.frame)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
    painter.restore()
