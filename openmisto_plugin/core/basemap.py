"""The OpenStreetMap basemap: streets and house numbers under the reports (issue 11, item 14).

Officers place reports by street and house, so the map offers OpenStreetMap's standard tiles, configured
exactly as QGIS ships its own "OpenStreetMap" XYZ connection. Without a network the tiles simply do not
load: the plugin's layers are drawn as before, nothing waits for it, and nothing else depends on it.
GUI-free.
"""

from __future__ import annotations

from qgis.core import QgsLayerTreeGroup, QgsProject, QgsRasterLayer

from .i18n import tr

#: QGIS's own OpenStreetMap XYZ source (Browser → XYZ Tiles → OpenStreetMap).
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_URI = f"type=xyz&url={OSM_URL}&zmax=19&zmin=0"
#: What the tile server's licence requires next to the map.
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
#: Marks the plugin's basemap layer (found again instead of added twice).
BASEMAP_PROPERTY = "openmisto/basemap"


def osm_layer(name: str | None = None) -> QgsRasterLayer:
    """A new OpenStreetMap XYZ layer (the ``wms`` provider; tiles are fetched only when drawn)."""
    layer = QgsRasterLayer(OSM_URI, name or tr("OpenStreetMap (basemap)"), "wms")
    layer.setCustomProperty(BASEMAP_PROPERTY, "osm")
    metadata = layer.metadata()
    metadata.setRights([OSM_ATTRIBUTION])
    layer.setMetadata(metadata)
    return layer


def find_basemap(project: QgsProject | None = None) -> QgsRasterLayer | None:
    """The plugin's basemap in ``project`` (None when there is none)."""
    project = project or QgsProject.instance()
    for layer in project.mapLayers().values():
        if layer.customProperty(BASEMAP_PROPERTY):
            return layer
    return None


def add_basemap(project: QgsProject | None = None, group: QgsLayerTreeGroup | None = None) -> QgsRasterLayer:
    """Put the OpenStreetMap basemap at the bottom of ``group`` (the project's root by default), once."""
    project = project or QgsProject.instance()
    existing = find_basemap(project)
    if existing is not None:
        return existing
    layer = osm_layer()
    project.addMapLayer(layer, False)
    (group or project.layerTreeRoot()).addLayer(layer)  # addLayer appends: the bottom, under the reports
    return layer


__all__ = ["BASEMAP_PROPERTY", "OSM_ATTRIBUTION", "OSM_URI", "OSM_URL", "add_basemap", "find_basemap", "osm_layer"]
