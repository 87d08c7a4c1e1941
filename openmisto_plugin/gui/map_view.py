"""The workspace's layers in the QGIS project and the map canvas: adding them, the basemap, zooming to the
reports, and telling the hub which layer is the reports layer now (the map tool and the filter follow it)."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QObject, QTimer

from ..core import project_layers
from ..core.i18n import tr
from ..core.settings import PluginSettings
from .common import logged_slot
from .signal_hub import PluginSignals
from .workspace_session import WorkspaceSession

#: CRS of a new project the plugin fills: web mercator, like the basemaps users add.
NEW_PROJECT_CRS = "EPSG:3857"


def _layers_not_added() -> str:
    return tr("The layers could not be added; the log (Open City tab) says why.")


def _not_done() -> str:
    return tr("That did not work; the log (Open City tab) says why.")


class ProjectMap(QObject):
    """The workspace's layers in the current project, and the map showing them."""

    def __init__(self, iface: Any, session: WorkspaceSession, hub: PluginSignals, parent: QObject | None = None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.hub = hub

    def _message(self, text: str, level: Any = Qgis.Info) -> None:
        self.hub.messageRequested.emit(text, int(level))

    @logged_slot(_layers_not_added, default={})
    def add_layers(self, quiet: bool = False) -> dict[str, Any]:
        """Add the workspace's layers to the project (zooming when the project was empty)."""
        settings = PluginSettings.load()
        if not settings.workspace_exists:
            if not quiet:
                self._message(tr("There is no workspace yet: synchronise first."), Qgis.Warning)
            return {}
        project = QgsProject.instance()
        was_empty = not project.mapLayers()
        layers = project_layers.add_layers(settings.workspace, project)
        if not layers and not quiet:
            self._message(tr("The workspace has no layers to add."), Qgis.Warning)
        if was_empty and layers:
            self.zoom_to_reports()
            if not project.fileName():
                # QGIS gives a new project the CRS of its first layer (EPSG:4326) once control returns
                # to the event loop; set the map CRS after that.
                QTimer.singleShot(0, self._new_project_view)
        self.layers_changed()
        return layers

    @logged_slot()
    def layers_changed(self, *_args: Any) -> None:
        """Layers came or went: the hub says which layer is the reports layer now (None without one)."""
        self.hub.reportsLayerChanged.emit(project_layers.find_layer(project_layers.REPORTS))

    @logged_slot(_not_done)
    def add_basemap(self) -> Any:
        """The OpenStreetMap basemap at the bottom of the project (once); offline its tiles simply do not load."""
        from ..core.basemap import add_basemap

        layer = add_basemap(QgsProject.instance())
        self._message(
            tr("Basemap: {0}. Without the internet it stays empty; the reports are drawn anyway.").format(layer.name())
        )
        return layer

    @logged_slot()
    def _new_project_view(self) -> None:
        project = QgsProject.instance()
        if project_layers.find_layer(project_layers.REPORTS, project) is None:
            return
        project.setCrs(QgsCoordinateReferenceSystem(NEW_PROJECT_CRS))
        self.zoom_to_reports()
        project.setDirty(False)

    @logged_slot(_not_done)
    def zoom_to_reports(self) -> None:
        """Zoom the map to the reports (or the districts)."""
        layer = project_layers.find_layer(project_layers.REPORTS) or project_layers.find_layer(project_layers.DISTRICTS)
        canvas = self.iface.mapCanvas()
        if layer is None or canvas is None:
            self._message(tr("The reports layer is not in the project."), Qgis.Warning)
            return
        layer.updateExtents()
        extent, crs = self._placed_reports_extent(), QgsCoordinateReferenceSystem("EPSG:4326")
        if extent is None:
            extent, crs = layer.extent(), layer.crs()
        if extent.isEmpty() and (districts := project_layers.find_layer(project_layers.DISTRICTS)) is not None:
            extent, crs = districts.extent(), districts.crs()
        if extent.isNull():
            return
        transform = QgsCoordinateTransform(crs, canvas.mapSettings().destinationCrs(), QgsProject.instance())
        try:
            extent = transform.transformBoundingBox(extent)
        except QgsCsException:  # a broken extent is not worth an error
            return
        extent.scale(1.1)
        canvas.setExtent(extent)
        canvas.refresh()

    @logged_slot(default=None)  # the layer's own extent will do
    def _placed_reports_extent(self) -> QgsRectangle | None:
        """The reports' box without those flagged far outside the city (a PostGIS layer's own extent has them)."""
        from ..core.city_area import reports_extent

        store = self.session.open_store_if_open()  # a zoom queued before unload must not open the workspace again
        if store is None:
            return None
        box = reports_extent(store)
        return None if box is None else QgsRectangle(*box)
