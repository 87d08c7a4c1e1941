"""The filter panel driven through pytest-qgis: lists, apply to the map layer, signals, saved filters,
the polygon tool and the distance from the selected features of another layer."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, Qt

from tests.test_filters import build_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, qgis_app: Any) -> Path:
    return build_workspace(tmp_path_factory.mktemp("panel") / "workspace.gpkg")


def store_fids(workspace: Path, where: str, params: tuple = ()) -> list[int]:
    """What the store holds, read straight from the file."""
    conn = sqlite3.connect(str(workspace))
    try:
        return [r[0] for r in conn.execute(f"SELECT fid FROM reports WHERE {where} ORDER BY fid", params)]
    finally:
        conn.close()


@pytest.fixture
def officer_settings() -> Iterator[None]:
    from openmisto_plugin.core.settings import PluginSettings

    before = PluginSettings.load()
    PluginSettings(role="officer", department="roads", workspace_path=before.workspace_path).save()
    yield
    before.save()


@pytest.fixture
def panel(workspace: Path, qgis_iface: Any, qgis_new_project: None, officer_settings: None) -> Iterator[Any]:
    from openmisto_plugin.gui.filter_panel import FilterPanel

    layer = QgsVectorLayer(f"{workspace}|layername=reports", "reports", "ogr")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    canvas.setLayers([layer])
    canvas.setExtent(layer.extent())
    widget = FilterPanel(canvas)
    widget.set_workspace(str(workspace))
    widget.set_layer(layer)
    widget.received: list[list[int]] = []  # type: ignore[misc]
    widget.filterApplied.connect(widget.received.append)
    yield widget
    widget.unload()
    widget.deleteLater()


def check(widget: Any, list_name: str, *codes: str) -> None:
    """Tick items of one of the panel's lists as a user would."""
    items = getattr(widget, list_name)
    found = set()
    for i in range(items.count()):
        item = items.item(i)
        if item.data(Qt.ItemDataRole.UserRole) in codes:
            item.setCheckState(Qt.CheckState.Checked)
            found.add(item.data(Qt.ItemDataRole.UserRole))
    assert found == set(codes)


def test_department_defaults_to_the_officers_own(panel: Any) -> None:
    assert panel.department_list.checked() == ["roads"]
    assert panel.category_list.count() > 10 and panel.district_list.count() == 7
    assert panel.status_list.count() == 10


def test_district_and_status_apply_to_the_layer(panel: Any, workspace: Path) -> None:
    panel.department_list.set_checked([])
    check(panel, "district_list", "tsentralnyi")
    check(panel, "status_list", "in_progress")
    panel.apply_button.click()

    expected = store_fids(workspace, "district = ? AND external_status_code = ?", ("tsentralnyi", "in_progress"))
    assert len(expected) >= 10  # enough to mean something
    assert panel.received == [expected]
    assert panel.layer.featureCount() == len(expected)
    assert sorted(panel.layer.allFeatureIds()) == expected
    assert panel.count_label.text().startswith(str(len(expected)))

    # Officer's default department on top of it.
    panel.department_list.set_checked(["roads"])
    panel.apply()
    roads = store_fids(
        workspace,
        "district = ? AND external_status_code = ? AND agency_responsible = ?",
        ("tsentralnyi", "in_progress", "roads"),
    )
    assert panel.received[-1] == roads and panel.layer.featureCount() == len(roads)

    panel.reset_button.click()
    assert panel.layer.subsetString() == "" and panel.layer.featureCount() == len(store_fids(workspace, "1"))
    assert panel.status_list.checked() == [] and panel.district_list.checked() == []


def test_save_load_delete_by_name(panel: Any, workspace: Path) -> None:
    check(panel, "district_list", "molodizhnyi")
    panel.text_edit.setText("ВУЛ")
    panel.overdue_check.setChecked(False)
    first = panel.apply()
    assert first is not None and first.count > 0
    panel.saved_combo.setEditText("Молодіжний, дороги")
    panel.save_button.click()
    assert [panel.saved_combo.itemText(i) for i in range(panel.saved_combo.count())] == ["Молодіжний, дороги"]

    panel.clear()
    assert panel.layer.subsetString() == ""
    panel.saved_combo.setEditText("Молодіжний, дороги")
    panel.load_button.click()
    assert panel.district_list.checked() == ["molodizhnyi"] and panel.text_edit.text() == "ВУЛ"
    assert panel.received[-1] == first.fids and panel.layer.featureCount() == first.count

    panel.delete_button.click()
    assert panel.saved_combo.count() == 0


def test_drawn_polygon_with_the_map_tool(panel: Any, workspace: Path) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    canvas = panel.canvas
    canvas.setExtent(QgsRectangle(34.09, 47.635, 34.14, 47.67))
    canvas.refresh()
    panel.department_list.set_checked([])
    panel.draw_button.click()
    tool = canvas.mapTool()
    assert tool is panel._tool
    drawn: list[tuple[str, str]] = []
    tool.polygonDrawn.connect(lambda wkt, crs: drawn.append((wkt, crs)))
    to_pixel = canvas.getCoordinateTransform()
    for lon, lat in ((34.100, 47.660), (34.130, 47.658), (34.125, 47.640), (34.104, 47.645)):
        pixel = to_pixel.transform(QgsPointXY(lon, lat))
        pos = QPoint(round(pixel.x()), round(pixel.y()))
        tool.canvasReleaseEvent(
            QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.LeftButton)
        )
    tool.canvasReleaseEvent(
        QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, QPoint(1, 1), Qt.MouseButton.RightButton)
    )
    assert drawn and drawn[0][1] == "EPSG:4326"
    assert not panel.draw_button.isChecked()  # drawing ends with the right click
    assert panel._polygon == drawn[0]

    result = panel.apply()
    expected = evaluate(ReportFilter(polygon_wkt=drawn[0][0], polygon_crs="EPSG:4326"), workspace)
    assert result.count == expected.count > 50
    assert panel.received[-1] == expected.fids and panel.layer.featureCount() == expected.count

    # The extent criterion uses the map's extent.
    panel.clear_polygon()
    panel.extent_check.setChecked(True)
    result = panel.apply()
    box = canvas.extent()
    inside = store_fids(
        workspace,
        "long >= ? AND long <= ? AND lat >= ? AND lat <= ?",
        (box.xMinimum(), box.xMaximum(), box.yMinimum(), box.yMaximum()),
    )
    assert result.fids == inside and len(inside) > 50


def test_distance_from_selected_features_of_another_layer(panel: Any, workspace: Path) -> None:
    from openmisto_plugin.core.filters.evaluation import evaluate
    from openmisto_plugin.core.filters.model import ReportFilter

    streets = QgsVectorLayer("LineString?crs=EPSG:3857&field=name:string", "Вулиці", "memory")
    wkts_4326 = ["LINESTRING(34.095 47.645, 34.125 47.660)", "LINESTRING(34.10 47.66, 34.13 47.64)"]
    to_mercator = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem("EPSG:3857"), QgsProject.instance()
    )
    features = []
    for wkt in wkts_4326:
        geometry = QgsGeometry.fromWkt(wkt)
        geometry.transform(to_mercator)
        feature = QgsFeature(streets.fields())
        feature.setGeometry(geometry)
        features.append(feature)
    streets.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(streets)
    panel.department_list.set_checked([])
    panel.near_layer_combo.setLayer(streets)
    panel.near_check.setChecked(True)
    panel.distance_spin.setValue(120)

    assert panel.apply() is None  # nothing selected yet: the user is told
    assert panel.message_label.isVisibleTo(panel) and "Вулиці" in panel.message_label.text()

    streets.selectByIds([f.id() for f in streets.getFeatures()][:1])
    result = panel.apply()
    expected = evaluate(ReportFilter(near_wkts=wkts_4326[:1], near_crs="EPSG:4326", distance_m=120), workspace)
    assert abs(result.count - expected.count) <= 1 and result.count > 20
    assert panel.layer.featureCount() == result.count

    streets.selectAll()
    both = panel.apply()
    assert both.count > result.count
    assert set(result.fids) <= set(both.fids)
    assert panel.last_filter.near_layer == "Вулиці" and len(panel.last_filter.near_wkts) == 2


def test_form_is_usable_in_the_dock(panel: Any, qgis_iface: Any) -> None:
    """Issue 11, item 10: the lists show their items without scrolling inside the scrolling form; the distance
    layer list offers only layers with geometry; drawing a polygon says on the map how to do it."""
    from qgis.core import Qgis

    panel.resize(350, 600)
    panel.show()
    try:
        statuses_list = panel.status_list
        assert statuses_list.count() >= 10
        assert statuses_list.verticalScrollBar().maximum() == 0  # every status visible, no inner scrolling
        assert statuses_list.height() >= statuses_list.count() * statuses_list.sizeHintForRow(0)

        table = QgsVectorLayer("None?field=name:string", "Таблиця без геометрії", "memory")
        points = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string", "Школи", "memory")
        QgsProject.instance().addMapLayers([table, points])
        offered = [panel.near_layer_combo.layer(i) for i in range(panel.near_layer_combo.count())]
        assert points in offered and table not in offered

        bar = qgis_iface.messageBar()
        before = len(bar.get_messages(Qgis.Info))
        panel.draw_button.click()
        hints = bar.get_messages(Qgis.Info)[before:]
        assert hints and "right click" in hints[-1].lower()
        assert "right click" in panel.polygon_label.text().lower()
        panel.draw_button.click()  # stopped: the panel's hint goes too
        assert panel.polygon_label.text() == "No polygon"
    finally:
        panel.hide()
