"""Map tools: click a report on the map to open its detail view."""

from __future__ import annotations

from qgis.core import QgsFeature, QgsVectorLayer
from qgis.gui import QgsMapCanvas, QgsMapToolIdentifyFeature
from qgis.PyQt.QtCore import pyqtSignal


class ReportIdentifyTool(QgsMapToolIdentifyFeature):
    """Identify one feature of the reports layer and emit ``reportIdentified(feature)``."""

    reportIdentified = pyqtSignal(QgsFeature)

    def __init__(self, canvas: QgsMapCanvas, layer: QgsVectorLayer | None = None) -> None:
        super().__init__(canvas, layer)
        self.setObjectName("OpenMistoReportIdentifyTool")
        self.featureIdentified[QgsFeature].connect(self.reportIdentified)

    def set_reports_layer(self, layer: QgsVectorLayer | None) -> None:
        """Point the tool at the (current) reports layer."""
        self.setLayer(layer)
