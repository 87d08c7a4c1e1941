"""The Processing provider "Відкрите Місто" (id ``openmisto``).

Registered by the plugin's ``initProcessing`` (QGIS desktop) and, through the
same entry point, by ``qgis_process`` when the plugin is enabled there
(``qgis_process.bin plugins enable openmisto_plugin``): ``openmisto:sync``,
``openmisto:autoassign`` and ``openmisto:monthlyreport``.
"""

from __future__ import annotations

from qgis.core import QgsProcessingAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..core.i18n import tr
from ..core.paths import resource
from .autoassign_algorithm import AutoAssignAlgorithm
from .monthly_report_algorithm import MonthlyReportAlgorithm
from .sync_algorithm import SyncAlgorithm

PROVIDER_ID = "openmisto"

ALGORITHMS: tuple[type[QgsProcessingAlgorithm], ...] = (SyncAlgorithm, AutoAssignAlgorithm, MonthlyReportAlgorithm)


class OpenMistoProvider(QgsProcessingProvider):
    """Processing provider holding the Open City algorithms."""

    def id(self) -> str:
        """Provider id: algorithms are ``openmisto:<name>``."""
        return PROVIDER_ID

    def name(self) -> str:
        """Name shown in the toolbox (the platform's proper name, same in every language)."""
        return tr("Відкрите Місто")

    def longName(self) -> str:
        """Longer name shown in tooltips."""
        return tr("Open City: citizen reports from an Open311 platform")

    def icon(self) -> QIcon:
        """The plugin icon, or the default provider icon when it is missing."""
        path = resource("icons", "openmisto.svg")
        if path.exists():
            return QIcon(str(path))
        return super().icon()

    def svgIconPath(self) -> str:
        """Path of the SVG icon (used by the modeler)."""
        path = resource("icons", "openmisto.svg")
        return str(path) if path.exists() else super().svgIconPath()

    def loadAlgorithms(self) -> None:
        """Add one instance of every available algorithm."""
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
