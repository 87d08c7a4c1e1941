# ruff: noqa: F811 - the fixtures of tests/test_plugin.py are imported by name and used as parameters
"""The OpenStreetMap basemap (issue 11, item 14): configured as QGIS ships it, at the bottom of the demo project,
under the atlas's maps when asked for; nothing needs the network (no tile is fetched here)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import unquote

from qgis.core import QgsProject

from openmisto_plugin.core import basemap
from tests.test_plugin import clean_settings, iface, plugin  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[1]
QGIS_OSM = "type=xyz&url=https://tile.openstreetmap.org/{z}/{x}/{y}.png&zmax=19&zmin=0"  # QGIS's own connection


def test_the_layer_is_qgis_s_openstreetmap_with_its_attribution(qgis_app):
    layer = basemap.osm_layer()
    assert layer.isValid() and layer.providerType() == "wms"
    assert layer.source() == QGIS_OSM
    assert "OpenStreetMap" in " ".join(layer.metadata().rights())


def test_added_once_at_the_bottom(qgis_app):
    project = QgsProject()
    from qgis.core import QgsVectorLayer

    reports = QgsVectorLayer("Point?crs=EPSG:4326", "reports", "memory")
    project.addMapLayer(reports)
    first = basemap.add_basemap(project)
    assert basemap.add_basemap(project) is first and len(project.mapLayers()) == 2
    order = [node.layer() for node in project.layerTreeRoot().findLayers()]
    assert order == [reports, first]  # the reports draw over the streets


def test_the_demo_project_has_the_basemap_under_the_reports(qgis_app, qgis_new_project, tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import demo_sync
    finally:
        sys.path.remove(str(ROOT / "tools"))
    from tests.test_plugin import make_workspace

    monkeypatch.setattr(demo_sync, "_install_ukrainian", lambda: None)  # no translator left for the next test

    workspace = make_workspace(tmp_path / "workspace.gpkg")
    output = tmp_path / "demo.qgz"
    assert demo_sync.cmd_project(argparse.Namespace(workspace=str(workspace), output=str(output))) == 0
    project = QgsProject.instance()
    project.clear()
    assert project.read(str(output))
    layer = basemap.find_basemap(project)
    assert layer is not None and layer.providerType() == "wms"
    assert "type=xyz" in layer.source() and QGIS_OSM.split("url=")[1] in unquote(layer.source())
    assert project.layerTreeRoot().findLayers()[-1].layer() is layer  # bottom of the legend
    project.clear()


def test_the_plugin_menu_adds_the_basemap_once(plugin):
    assert plugin.actions["basemap"] in plugin.menu.actions()
    plugin.actions["basemap"].trigger()
    plugin.actions["basemap"].trigger()
    found = [layer for layer in QgsProject.instance().mapLayers().values() if layer.providerType() == "wms"]
    assert len(found) == 1 and found[0].source() == QGIS_OSM
