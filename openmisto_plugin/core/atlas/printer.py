"""Print the atlas's layouts into one PDF page by page, the maps drawn ahead in QGIS's map renderer threads.

``QgsLayoutExporter.exportToPdf`` paints every page and every map in the calling (main) thread: seconds in
which QGIS cannot answer. :class:`AtlasPrinter` splits the job so that the main thread only ever does one
short step:

1. a page's maps are rendered by QGIS's own :class:`QgsMapRendererCustomPainterJob` in a worker thread (as the
   map canvas and the layout designer's preview do; the layout itself is never touched there) into a
   :class:`QPicture`: vector paint commands, so the PDF keeps vector points and real text in the maps;
2. back in the main thread, the page is painted with its maps hidden (``QgsLayoutExporter.renderPage``), and
   each map's background, picture and frame are drawn where the map item sits.

The layout's render context is set as ``exportToPdf`` sets it (:func:`use_pdf_settings`), so the pages are
the same as its. :meth:`AtlasPrinter.start` runs the steps from the event loop (the dialog);
:meth:`AtlasPrinter.run` runs them to the end in the calling thread (Processing, tests).
"""

from __future__ import annotations

import logging
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
from qgis.PyQt.QtCore import QMarginsF, QObject, QRectF, QSizeF, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter, QPen, QPicture

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
class _MapPicture:
    """One map item of the page being printed and what its renderer job drew."""

    item: QgsLayoutItemMap
    picture: QPicture = field(default_factory=QPicture)
    painter: QPainter | None = None
    job: QgsMapRendererCustomPainterJob | None = None


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
        self._settings = settings
        self._feedback = feedback
        self._span = span
        self._writer: QPdfWriter | None = None
        self._painter: QPainter | None = None
        self._index = 0  # 0: the cover, n: the atlas's page n - 1
        self._count = 0
        self._maps: list[_MapPicture] = []
        self._waiting = 0
        self._done = False
        for layout in (cover, group):
            use_pdf_settings(layout, settings)
        canceled = getattr(feedback, "canceled", None)
        if canceled is not None:
            canceled.connect(self.cancel)

    @property
    def pages(self) -> int:
        """Pages printed so far."""
        return self._index

    # -- the steps
    def _canceled(self) -> bool:
        return self._feedback is not None and self._feedback.isCanceled()

    def _progress(self) -> None:
        if self._feedback is not None:
            lo, hi = self._span
            self._feedback.setProgress(lo + (hi - lo) * self._index / max(1, self._count))

    def _show(self) -> QgsLayout:
        """Make the layout of the next page show it; that layout."""
        if self._index == 0:
            if not self._atlas.beginRender():
                raise OSError("the atlas cannot start")
            self._count = 1 + self._atlas.count()
            return self._cover
        if not self._atlas.seekTo(self._index - 1):
            raise OSError(f"the atlas cannot show page {self._index + 1}")
        return self._group

    def _begin_page(self) -> QgsLayout:
        """Show the next page and make its maps' renderer jobs (:attr:`_maps`, not started)."""
        layout = self._show()
        dots_per_mm = self._settings.dpi / MM_PER_INCH
        for item in layout.items():
            if not isinstance(item, QgsLayoutItemMap) or not _printed(item):
                continue
            extent = item.extent()
            units = item.mapUnitsToLayoutUnits()
            size = QSizeF(extent.width() * units * dots_per_mm, extent.height() * units * dots_per_mm)
            drawn = _MapPicture(item)
            drawn.painter = QPainter(drawn.picture)
            settings = item.mapSettings(extent, size, self._settings.dpi, True)
            drawn.job = QgsMapRendererCustomPainterJob(settings, drawn.painter)
            self._maps.append(drawn)
        return layout

    def _paint_page(self, layout: QgsLayout) -> None:
        """Paint the shown page, its maps from their pictures (all their jobs have finished)."""
        for drawn in self._maps:
            drawn.painter.end()
        writer = self._writer_for()
        _set_page_size(writer, layout)
        if self._painter is None:
            self._painter = QPainter(writer)
        elif not writer.newPage():
            raise OSError(f"cannot add a page to {self._path}")
        for drawn in self._maps:
            drawn.item.setVisibility(False)
        try:
            QgsLayoutExporter(layout).renderPage(self._painter, 0)
        finally:
            for drawn in self._maps:
                drawn.item.setVisibility(True)
        for drawn in self._maps:
            _draw_map(self._painter, drawn, self._settings.dpi / MM_PER_INCH)
        self._maps = []
        self._index += 1
        self._progress()

    def _writer_for(self) -> QPdfWriter:
        if self._writer is None:
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            self._writer = QPdfWriter(self._path)
            self._writer.setResolution(int(self._settings.dpi))
        return self._writer

    def _close(self, complete: bool) -> None:
        """End the PDF (removed when it is not ``complete``) and the atlas's rendering."""
        for drawn in self._maps:
            if drawn.job is not None and drawn.job.isActive():
                drawn.job.cancel()  # waits for its thread: the picture is not painted on after this
            if drawn.painter is not None and drawn.painter.isActive():
                drawn.painter.end()
        self._maps = []
        if self._painter is not None and self._painter.isActive():
            self._painter.end()
        self._painter = None
        if self._writer is not None:
            self._writer = None
            if not complete:
                Path(self._path).unlink(missing_ok=True)
        if self._index > 0:
            self._atlas.endRender()

    def _finished_all(self) -> bool:
        return self._index > 0 and self._index >= self._count

    # -- to the end in the calling thread
    def run(self) -> None:
        """Print every page now (blocking); raises :class:`AtlasCanceled` or ``OSError``."""
        complete = False
        try:
            while not self._finished_all():
                if self._canceled():
                    raise AtlasCanceled()
                layout = self._begin_page()
                for drawn in self._maps:
                    drawn.job.renderSynchronously()
                self._paint_page(layout)
            complete = True
        finally:
            self._close(complete)

    # -- step by step from the event loop
    def start(self) -> None:
        """Print from the event loop, a step per page; :attr:`finished` tells the end."""
        QTimer.singleShot(0, self._next)

    def cancel(self) -> None:
        """Stop soon: the running map jobs are told to stop; :attr:`finished` gets :class:`AtlasCanceled`."""
        for drawn in self._maps:
            if drawn.job is not None and drawn.job.isActive():
                drawn.job.cancelWithoutBlocking()

    def _next(self) -> None:
        if self._done:
            return
        try:
            if self._canceled():
                raise AtlasCanceled()
            if self._finished_all():
                self._close(True)
                self._end(None)
                return
            layout = self._begin_page()
            self._waiting = len(self._maps)
            if not self._maps:
                self._paint_page(layout)
                QTimer.singleShot(0, self._next)
                return
            for drawn in self._maps:
                drawn.job.finished.connect(lambda layout=layout: self._job_finished(layout))
                drawn.job.start()
        except Exception as exc:  # noqa: BLE001 - handed to the caller through finished
            self._fail(exc)

    def _job_finished(self, layout: QgsLayout) -> None:
        self._waiting -= 1
        if self._waiting > 0 or self._done:
            return
        try:
            if self._canceled():
                raise AtlasCanceled()
            self._paint_page(layout)
        except Exception as exc:  # noqa: BLE001 - handed to the caller through finished
            self._fail(exc)
            return
        QTimer.singleShot(0, self._next)

    def _fail(self, error: BaseException) -> None:
        try:
            self._close(False)
        finally:
            self._end(error)

    def _end(self, error: BaseException | None) -> None:
        self._done = True
        self.finished.emit(error)


def _printed(item: QgsLayoutItemMap) -> bool:
    """Whether the map item appears in the export of the page now shown (visible, not data-defined out)."""
    if not item.isVisible() or item.rect().isEmpty():
        return False
    excluded, ok = item.dataDefinedProperties().valueAsBool(
        EXCLUDE_FROM_EXPORTS, item.createExpressionContext(), item.excludeFromExports()
    )
    return not (excluded if ok else item.excludeFromExports())


def _set_page_size(writer: QPdfWriter, layout: QgsLayout) -> None:
    """The page size of ``layout``'s first page, no margins (``QgsLayoutExporter::updatePrinterPageSize``)."""
    page = layout.pageCollection().page(0)
    size = layout.renderContext().measurementConverter().convert(page.pageSize(), LAYOUT_MILLIMETERS)
    page_layout = QPageLayout(
        QPageSize(QSizeF(size.width(), size.height()), QPageSize.Unit.Millimeter),
        QPageLayout.Orientation.Portrait,
        QMarginsF(0, 0, 0, 0),
    )
    page_layout.setMode(QPageLayout.Mode.FullPageMode)
    writer.setPageLayout(page_layout)


def _draw_map(painter: QPainter, drawn: _MapPicture, dots_per_mm: float) -> None:
    """A map item as ``QgsLayoutItemMap::paint`` draws it in an export: background, layers (clipped), frame."""
    item = drawn.item
    layout = item.layout()
    rect = QRectF(0, 0, item.rect().width(), item.rect().height())
    painter.save()
    painter.scale(dots_per_mm, dots_per_mm)
    painter.translate(item.scenePos())
    if item.hasBackground():
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(item.backgroundColor())
        painter.drawRect(rect)
    painter.save()
    painter.setClipRect(rect)
    painter.scale(1 / dots_per_mm, 1 / dots_per_mm)
    # QPicture plays its commands scaled from its own resolution to the device's: undo that
    replay = drawn.picture.logicalDpiX() / painter.device().logicalDpiX()
    painter.scale(replay, replay)
    painter.drawPicture(0, 0, drawn.picture)
    painter.restore()
    if item.frameEnabled():
        pen = QPen(item.frameStrokeColor())
        pen.setWidthF(layout.convertToLayoutUnits(item.frameStrokeWidth()))
        pen.setJoinStyle(item.frameJoinStyle())
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
    painter.restore()
