"""core/qgis_compat.py: each version-dependent enum is the scoped one where this QGIS has it, the old one
otherwise, and the QGIS API it is given to accepts it and gives it back (on 3.22 the old names, on 3.40+ the
``Qgis.*`` ones; assigning the old ``QgsPalLayerSettings.OverPoint`` raised TypeError on 3.40)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_scoped_name_wins_where_it_exists_else_the_old_one(qgis_app: Any) -> None:
    from qgis.core import Qgis, QgsPalLayerSettings

    from openmisto_plugin.core import qgis_compat

    expected = Qgis.LabelPlacement.OverPoint if hasattr(Qgis, "LabelPlacement") else QgsPalLayerSettings.OverPoint
    assert expected == qgis_compat.LABEL_OVER_POINT
    assert type(qgis_compat.LABEL_OVER_POINT) is type(expected)
    # a scoped name that no QGIS has falls back to the old name; neither existing is an error
    assert qgis_compat.scoped_enum("Qgis.NoSuchEnum.Value", "QgsWkbTypes.Point") == qgis_compat.WKB_POINT
    with pytest.raises(AttributeError, match="NoSuchEnum"):
        qgis_compat.scoped_enum("Qgis.NoSuchEnum.Value", "QgsNoSuchClass.Value")


def test_label_placement_and_text_units_are_accepted(qgis_app: Any) -> None:
    from qgis.core import QgsPalLayerSettings, QgsTextFormat

    from openmisto_plugin.core.qgis_compat import LABEL_OVER_POINT, RENDER_MAP_UNITS, RENDER_POINTS

    settings = QgsPalLayerSettings()
    settings.placement = LABEL_OVER_POINT  # TypeError on 3.40 with the old name
    assert settings.placement == LABEL_OVER_POINT
    text = QgsTextFormat()
    text.setSizeUnit(RENDER_POINTS)
    assert text.sizeUnit() == RENDER_POINTS
    text.setSizeUnit(RENDER_MAP_UNITS)
    assert text.sizeUnit() == RENDER_MAP_UNITS


def test_geometry_enums_match_what_qgis_reports(qgis_app: Any) -> None:
    from qgis.core import QgsGeometry, QgsVectorLayer

    from openmisto_plugin.core.qgis_compat import GEOMETRY_POLYGON, WKB_MULTIPOLYGON, WKB_POINT

    assert QgsGeometry.fromWkt("POLYGON((0 0,1 0,1 1,0 0))").type() == GEOMETRY_POLYGON
    assert QgsGeometry.fromWkt("POINT(1 2)").wkbType() == WKB_POINT
    assert QgsVectorLayer("MultiPolygon?crs=EPSG:4326", "m", "memory").wkbType() == WKB_MULTIPOLYGON


def test_request_layer_filter_and_layout_enums_are_accepted(qgis_app: Any) -> None:
    from qgis.core import QgsFeatureRequest, QgsMapLayerProxyModel, QgsProperty, QgsPropertyCollection

    from openmisto_plugin.core.qgis_compat import EXCLUDE_FROM_EXPORTS, LAYER_FILTER_VECTOR, REQUEST_NO_GEOMETRY

    request = QgsFeatureRequest().setFlags(REQUEST_NO_GEOMETRY)
    assert request.flags() & REQUEST_NO_GEOMETRY
    model = QgsMapLayerProxyModel()
    model.setFilters(LAYER_FILTER_VECTOR)
    assert model.filters() == LAYER_FILTER_VECTOR
    properties = QgsPropertyCollection()
    properties.setProperty(EXCLUDE_FROM_EXPORTS, QgsProperty.fromExpression("@atlas_featurenumber > 1"))
    assert properties.isActive(EXCLUDE_FROM_EXPORTS)


def test_legend_components_are_accepted(qgis_app: Any) -> None:
    from qgis.core import QgsLayoutItemLegend, QgsPrintLayout, QgsProject

    from openmisto_plugin.core.qgis_compat import (
        LEGEND_GROUP,
        LEGEND_HIDDEN,
        LEGEND_SUBGROUP,
        LEGEND_SYMBOL_LABEL,
        LEGEND_TITLE,
    )

    project = QgsProject()
    legend = QgsLayoutItemLegend(QgsPrintLayout(project))
    components = (LEGEND_TITLE, LEGEND_GROUP, LEGEND_SUBGROUP, LEGEND_SYMBOL_LABEL)
    for indent, component in enumerate(components, start=1):
        legend.rstyle(component).setIndent(float(indent))
    assert [legend.style(c).indent() for c in components] == [1.0, 2.0, 3.0, 4.0]
    assert len(set((*components, LEGEND_HIDDEN))) == 5


def test_processing_parameter_enums_are_accepted(qgis_app: Any) -> None:
    from qgis.core import QgsProcessingParameterNumber

    from openmisto_plugin.core.qgis_compat import NUMBER_DOUBLE, NUMBER_INTEGER, PARAMETER_ADVANCED

    number = QgsProcessingParameterNumber("N", "n", type=NUMBER_INTEGER)
    assert number.dataType() == NUMBER_INTEGER
    number.setDataType(NUMBER_DOUBLE)
    assert number.dataType() == NUMBER_DOUBLE
    number.setFlags(number.flags() | PARAMETER_ADVANCED)
    assert number.flags() & PARAMETER_ADVANCED


def test_old_names_are_used_only_through_the_compat_module() -> None:
    from openmisto_plugin.core import qgis_compat

    names = sorted(qgis_compat.LEGACY_NAMES)
    assert "QgsPalLayerSettings.OverPoint" in names
    pattern = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in names))
    sources = [*ROOT.glob("openmisto_plugin/**/*.py"), *ROOT.glob("tools/*.py"), *ROOT.glob("server/**/*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if path.name != "qgis_compat.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, "use openmisto_plugin.core.qgis_compat instead:\n" + "\n".join(found)
