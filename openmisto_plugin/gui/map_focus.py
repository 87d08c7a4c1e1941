"""Show a few reports on the map for a dialog, and give the map back as it was when the dialog is canceled.

The dialog selects its reports and zooms to the pair that matters (a report and its chosen candidate) with a
margin, never closer than :data:`CLOSEST_SCALE`; Cancel restores the extent and the selection the user had.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qgis.core import QgsCoordinateTransform, QgsFeatureRequest, QgsProject, QgsRectangle

CLOSEST_SCALE = 5000.0  # 1:5 000: a few blocks of houses, enough to see where the pair lies
MARGIN = 0.5  # the pair's box grows by half of its size on each side


class MapFocus:
    """Remembers the map's extent and the layer's selection; ``show`` selects and zooms, ``restore`` undoes."""

    def __init__(self, canvas: Any, layer: Any, fids_of: Callable[[list[str]], dict[str, int]]) -> None:
        self.canvas = canvas
        self.layer = layer
        self.fids_of = fids_of
        self.extent = QgsRectangle(canvas.extent())
        self.selection = list(layer.selectedFeatureIds())

    def select(self, ids: Sequence[str]) -> None:
        """Select these reports (ids) on the map."""
        self.layer.selectByIds(list(self.fids_of([str(i) for i in ids]).values()))

    def zoom_to(self, ids: Sequence[str]) -> None:
        """Zoom to these reports with a margin, at most to 1:``CLOSEST_SCALE``."""
        fids = list(self.fids_of([str(i) for i in ids]).values())
        if not fids:
            return
        transform = QgsCoordinateTransform(
            self.layer.crs(), self.canvas.mapSettings().destinationCrs(), QgsProject.instance()
        )
        box = QgsRectangle()
        box.setMinimal()
        for feature in self.layer.getFeatures(QgsFeatureRequest().setFilterFids(fids).setNoAttributes()):
            geometry = feature.geometry()
            if geometry is None or geometry.isEmpty():
                continue
            geometry.transform(transform)
            box.combineExtentWith(geometry.boundingBox())
        if box.isEmpty() and box.width() < 0:
            return
        dx, dy = box.width() * MARGIN, box.height() * MARGIN
        self.canvas.setExtent(
            QgsRectangle(box.xMinimum() - dx, box.yMinimum() - dy, box.xMaximum() + dx, box.yMaximum() + dy)
        )
        if self.canvas.scale() < CLOSEST_SCALE:
            self.canvas.zoomScale(CLOSEST_SCALE)
        self.canvas.refresh()

    def restore(self) -> None:
        """The extent and the selection as they were before."""
        self.layer.selectByIds(self.selection)
        self.canvas.setExtent(self.extent)
        self.canvas.refresh()
