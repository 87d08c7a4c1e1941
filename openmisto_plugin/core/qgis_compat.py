"""QGIS enums whose home moved between 3.22 and 3.40+, in one place.

QGIS 3.26–3.36 moved many enums into ``Qgis`` (``QgsPalLayerSettings.OverPoint`` →
``Qgis.LabelPlacement.OverPoint``) and keeps the old names only as Python aliases, which QGIS 4 drops. The
aliases are not always right: on 3.40 ``QgsPalLayerSettings.OverPoint`` is bound last to
``Qgis.LabelPredefinedPointPosition.OverPoint``, so assigning it to a label placement raises ``TypeError``.
So each value here is the new scoped name where this QGIS has it, else the old one, never a guess at run
time. Use these constants instead of the old names; ``tests/test_qgis_compat.py`` fails on an old name
used elsewhere.
"""

from __future__ import annotations

from typing import Any

import qgis.core

LEGACY_NAMES: dict[str, str] = {}
"""Old name → scoped name, for every constant below (the test looks for the old names in the code)."""


def _resolve(path: str) -> Any:
    """``qgis.core.<path>`` (dotted, e.g. ``"Qgis.LabelPlacement.OverPoint"``) or ``None``."""
    value: Any = qgis.core
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def scoped_enum(scoped: str, legacy: str) -> Any:
    """The enum value ``scoped`` where this QGIS defines it, else ``legacy`` (both dotted, in qgis.core)."""
    LEGACY_NAMES[legacy] = scoped
    for path in (scoped, legacy):
        value = _resolve(path)
        if value is not None:
            return value
    raise AttributeError(f"this QGIS ({qgis.core.Qgis.QGIS_VERSION}) has neither {scoped} nor {legacy}")


# Labels (Qgis.LabelPlacement since 3.26)
LABEL_OVER_POINT = scoped_enum("Qgis.LabelPlacement.OverPoint", "QgsPalLayerSettings.OverPoint")

# Units of symbols and text (Qgis.RenderUnit since 3.30)
RENDER_POINTS = scoped_enum("Qgis.RenderUnit.Points", "QgsUnitTypes.RenderPoints")
RENDER_MAP_UNITS = scoped_enum("Qgis.RenderUnit.MapUnits", "QgsUnitTypes.RenderMapUnits")

# Geometry types (Qgis.WkbType and Qgis.GeometryType since 3.30)
WKB_POINT = scoped_enum("Qgis.WkbType.Point", "QgsWkbTypes.Point")
WKB_MULTIPOLYGON = scoped_enum("Qgis.WkbType.MultiPolygon", "QgsWkbTypes.MultiPolygon")
GEOMETRY_POLYGON = scoped_enum("Qgis.GeometryType.Polygon", "QgsWkbTypes.PolygonGeometry")

# Layer combo box filter (Qgis.LayerFilter since 3.34)
LAYER_FILTER_VECTOR = scoped_enum("Qgis.LayerFilter.VectorLayer", "QgsMapLayerProxyModel.VectorLayer")
LAYER_FILTER_HAS_GEOMETRY = scoped_enum("Qgis.LayerFilter.HasGeometry", "QgsMapLayerProxyModel.HasGeometry")

# Feature requests (Qgis.FeatureRequestFlag since 3.36)
REQUEST_NO_GEOMETRY = scoped_enum("Qgis.FeatureRequestFlag.NoGeometry", "QgsFeatureRequest.NoGeometry")

# Processing parameters (Qgis.ProcessingParameterFlag, Qgis.ProcessingNumberParameterType since 3.36)
PARAMETER_ADVANCED = scoped_enum(
    "Qgis.ProcessingParameterFlag.Advanced", "QgsProcessingParameterDefinition.FlagAdvanced"
)
# Processing algorithms (Qgis.ProcessingAlgorithmFlag since 3.36)
ALGORITHM_NO_THREADING = scoped_enum(
    "Qgis.ProcessingAlgorithmFlag.NoThreading", "QgsProcessingAlgorithm.FlagNoThreading"
)
NUMBER_INTEGER = scoped_enum("Qgis.ProcessingNumberParameterType.Integer", "QgsProcessingParameterNumber.Integer")
NUMBER_DOUBLE = scoped_enum("Qgis.ProcessingNumberParameterType.Double", "QgsProcessingParameterNumber.Double")

# Layout items (a scoped enum inside its class; legend components moved to Qgis.LegendComponent)
EXCLUDE_FROM_EXPORTS = scoped_enum(
    "QgsLayoutObject.DataDefinedProperty.ExcludeFromExports", "QgsLayoutObject.ExcludeFromExports"
)
LAYOUT_MILLIMETERS = scoped_enum("Qgis.LayoutUnit.Millimeters", "QgsUnitTypes.LayoutMillimeters")
LEGEND_TITLE = scoped_enum("Qgis.LegendComponent.Title", "QgsLegendStyle.Title")
LEGEND_GROUP = scoped_enum("Qgis.LegendComponent.Group", "QgsLegendStyle.Group")
LEGEND_SUBGROUP = scoped_enum("Qgis.LegendComponent.Subgroup", "QgsLegendStyle.Subgroup")
LEGEND_SYMBOL_LABEL = scoped_enum("Qgis.LegendComponent.SymbolLabel", "QgsLegendStyle.SymbolLabel")
LEGEND_HIDDEN = scoped_enum("Qgis.LegendComponent.Hidden", "QgsLegendStyle.Hidden")
