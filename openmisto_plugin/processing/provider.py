"""The Processing provider "Відкрите Місто" (id ``openmisto``).

Registered by the plugin's ``initProcessing`` (QGIS desktop) and, through the
same entry point, by ``qgis_process`` when the plugin is enabled there
(``qgis_process.bin plugins enable openmisto_plugin``). Algorithms of later
issues (``autoassign``, ``monthlyreport``) are added here when their modules
exist, so the provider never fails to load because one of them is missing.
"""

from __future__ import annotations

import importlib
import logging

from qgis.core import QgsProcessingAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..core.i18n import tr
from ..core.paths import resource

LOG = logging.getLogger(__name__)

PROVIDER_ID = "openmisto"

# (module under openmisto_plugin.processing, class name). Optional algorithms
# whose modules are not written yet are skipped quietly.
ALGORITHMS: tuple[tuple[str, str], ...] = (
    ("sync_algorithm", "SyncAlgorithm"),
    ("autoassign_algorithm", "AutoAssignAlgorithm"),
    ("monthly_report_algorithm", "MonthlyReportAlgorithm"),
)


def _algorithm_classes() -> list[type[QgsProcessingAlgorithm]]:
    """The algorithm classes whose modules can be imported."""
    classes: list[type[QgsProcessingAlgorithm]] = []
    for module_name, class_name in ALGORITHMS:
        try:
            module = importlib.import_module(f"{__package__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(module_name):
                continue  # not written yet
            raise
        classes.append(getattr(module, class_name))
    return classes


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
        for cls in _algorithm_classes():
            self.addAlgorithm(cls())
