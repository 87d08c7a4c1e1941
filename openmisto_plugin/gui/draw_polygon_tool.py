"""A map tool that rubber-bands a polygon: left click adds a vertex, right click finishes.

Backspace removes the last vertex, Esc starts again. The finished polygon is emitted as WKT in the
canvas CRS (``polygonDrawn(wkt, crs)``, the CRS as authority id or WKT) for the filter panel.
"""

from __future__ import annotations

import logging

from qgis.core import QgsGeometry, QgsPointXY
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QKeyEvent

from ..core.filters.spatial import crs_to_text
from ..core.qgis_compat import GEOMETRY_POLYGON

log = logging.getLogger(__name__)


def make_polygon_band(canvas: QgsMapCanvas, colour: str = "#e65100") -> QgsRubberBand:
    """A semi-transparent polygon rubber band on ``canvas``."""
    band = QgsRubberBand(canvas, GEOMETRY_POLYGON)
    stroke = QColor(colour)
    fill = QColor(colour)
    fill.setAlpha(50)
    band.setStrokeColor(stroke)
    band.setFillColor(fill)
    band.setWidth(2)
    return band


class DrawPolygonTool(QgsMapTool):
    """Draw a polygon on the canvas; emits ``polygonDrawn(wkt, crs)`` or ``canceled()``."""

    polygonDrawn = pyqtSignal(str, str)
    canceled = pyqtSignal()

    def __init__(self, canvas: QgsMapCanvas) -> None:
        super().__init__(canvas)
        self.setObjectName("OpenMistoDrawPolygonTool")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._points: list[QgsPointXY] = []
        self._band: QgsRubberBand | None = None

    # -- state -----------------------------------------------------------------------------------------
    @property
    def points(self) -> list[QgsPointXY]:
        return list(self._points)

    def _ensure_band(self) -> QgsRubberBand:
        if self._band is None:
            self._band = make_polygon_band(self.canvas())
        return self._band

    def _redraw(self, moving: QgsPointXY | None = None) -> None:
        band = self._ensure_band()
        band.reset(GEOMETRY_POLYGON)
        points = self._points + ([moving] if moving is not None else [])
        for i, point in enumerate(points):
            band.addPoint(point, i == len(points) - 1)

    def reset(self) -> None:
        """Forget the vertices and hide the rubber band."""
        self._points = []
        if self._band is not None:
            self._band.reset(GEOMETRY_POLYGON)

    def add_point(self, point: QgsPointXY) -> None:
        """Add a vertex (map coordinates of the canvas CRS)."""
        self._points.append(QgsPointXY(point))
        self._redraw()

    def finish(self) -> bool:
        """Close the polygon and emit it; False (nothing emitted) with fewer than three vertices."""
        if len(self._points) < 3:
            log.debug("A polygon needs three vertices, got %d", len(self._points))
            return False
        geometry = QgsGeometry.fromPolygonXY([[*self._points, self._points[0]]])
        if not geometry.isGeosValid():
            geometry = geometry.makeValid()
        crs = crs_to_text(self.canvas().mapSettings().destinationCrs())
        self.reset()
        self.polygonDrawn.emit(geometry.asWkt(), crs)
        return True

    # -- events ----------------------------------------------------------------------------------------
    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        if self._points:
            self._redraw(event.mapPoint())

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.add_point(event.mapPoint())
        elif event.button() == Qt.MouseButton.RightButton:
            self.finish()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.reset()
            self.canceled.emit()
            event.accept()
        elif event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and self._points:
            self._points.pop()
            self._redraw()
            event.accept()
        else:
            event.ignore()

    def deactivate(self) -> None:
        self.reset()
        super().deactivate()

    def remove_band(self) -> None:
        """Take the rubber band off the canvas (when the tool is thrown away)."""
        if self._band is not None:
            self.canvas().scene().removeItem(self._band)
            self._band = None
