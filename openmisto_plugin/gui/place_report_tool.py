"""Map tool: the moderator clicks where a report without a position is (issue 9, core/positions.py).

The position is kept in the workspace only, marked as placed by hand: Open311 has no call that
changes a report's position, so nothing is sent to the platform, and a later sync keeps it while
the platform still has no usable position.
"""

from __future__ import annotations

import logging
from typing import Any

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapToolEmitPoint
from qgis.PyQt.QtCore import Qt, pyqtSignal

from ..core.i18n import tr
from ..core.store.base import ReportStore, StoreError

log = logging.getLogger(__name__)

WGS84 = "EPSG:4326"


def place_at(
    store: ReportStore,
    service_request_id: str,
    point: QgsPointXY,
    crs: QgsCoordinateReferenceSystem,
    author: str,
    base_version: int | None = None,
) -> dict[str, Any]:
    """Place a report at ``point`` given in ``crs`` (the map's); returns the report's row as stored."""
    wgs84 = QgsCoordinateReferenceSystem(WGS84)
    if crs.isValid() and crs != wgs84:
        point = QgsCoordinateTransform(crs, wgs84, QgsProject.instance()).transform(point)
    return store.place_report(service_request_id, point.y(), point.x(), author, base_version=base_version)


class PlaceReportTool(QgsMapToolEmitPoint):
    """Click on the map to give one report its position; ``placed(id)`` or ``failed(message)`` follows.

    The tool places one report per :meth:`start` and then lets the previous map tool take over again.
    """

    placed = pyqtSignal(str)
    failed = pyqtSignal(str)

    def __init__(self, canvas: QgsMapCanvas) -> None:
        super().__init__(canvas)
        self.setObjectName("OpenMistoPlaceReportTool")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.store: ReportStore | None = None
        self.service_request_id: str | None = None
        self.base_version: int | None = None
        self.author = ""
        self._previous: Any = None

    def start(self, store: ReportStore, service_request_id: str, author: str, base_version: int | None = None) -> None:
        """Wait for the click that places ``service_request_id``."""
        self.store = store
        self.service_request_id = str(service_request_id)
        self.author = author
        self.base_version = base_version
        canvas = self.canvas()
        previous = canvas.mapTool()
        self._previous = previous if previous is not self else self._previous
        canvas.setMapTool(self)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.store is None or self.service_request_id is None:
            return
        sid = self.service_request_id
        point = self.toMapCoordinates(event.pos())
        crs = self.canvas().mapSettings().destinationCrs()
        try:
            place_at(self.store, sid, point, crs, self.author, self.base_version)
        except StoreError as exc:  # also VersionConflictError: changed meanwhile
            log.info("Report %s not placed: %s", sid, exc)
            self.failed.emit(str(exc))
        else:
            self.placed.emit(sid)
        finally:
            self.service_request_id = None
            self._give_back()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.service_request_id = None
            self.failed.emit(tr("Placing cancelled."))
            self._give_back()

    def _give_back(self) -> None:
        canvas = self.canvas()
        if canvas.mapTool() is self:
            if self._previous is not None:
                canvas.setMapTool(self._previous)
            else:
                canvas.unsetMapTool(self)
